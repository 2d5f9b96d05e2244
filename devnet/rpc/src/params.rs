//! Positional parameters (Lotus and Ethereum both send arrays), read by index.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::RpcError;

/// A request's `params`: an array, or nothing.
#[derive(Debug)]
pub(crate) struct Params<'a> {
    method: &'static str,
    values: &'a [Value],
}

impl<'a> Params<'a> {
    /// The params of a call to `method`. `params` must be an array or absent/null.
    ///
    /// # Errors
    /// `-32602` when `params` is an object or a scalar.
    pub(crate) fn new(method: &'static str, params: &'a Value) -> Result<Self, RpcError> {
        match params {
            Value::Array(values) => Ok(Self { method, values }),
            Value::Null => Ok(Self {
                method,
                values: &[],
            }),
            _ => Err(RpcError::invalid_params(format!(
                "{method}: params must be an array"
            ))),
        }
    }

    /// Parameter `index`, required.
    ///
    /// # Errors
    /// `-32602` when it is missing or not a `T`.
    pub(crate) fn get<T: DeserializeOwned>(&self, index: usize, name: &str) -> Result<T, RpcError> {
        match self.values.get(index) {
            Some(v) => self.decode(index, name, v),
            None => Err(RpcError::invalid_params(format!(
                "{}: missing parameter {index} ({name})",
                self.method
            ))),
        }
    }

    /// Parameter `index`, optional: `None` when absent or `null`.
    ///
    /// # Errors
    /// `-32602` when it is present and not a `T`.
    pub(crate) fn opt<T: DeserializeOwned>(
        &self,
        index: usize,
        name: &str,
    ) -> Result<Option<T>, RpcError> {
        match self.values.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self.decode(index, name, v).map(Some),
        }
    }

    /// Refuses more than `max` parameters.
    ///
    /// # Errors
    /// `-32602` naming the count.
    pub(crate) fn at_most(&self, max: usize) -> Result<(), RpcError> {
        if self.values.len() > max {
            return Err(RpcError::invalid_params(format!(
                "{}: expected at most {max} parameters, got {}",
                self.method,
                self.values.len()
            )));
        }
        Ok(())
    }

    fn decode<T: DeserializeOwned>(
        &self,
        index: usize,
        name: &str,
        v: &Value,
    ) -> Result<T, RpcError> {
        T::deserialize(v).map_err(|e| {
            RpcError::invalid_params(format!("{}: parameter {index} ({name}): {e}", self.method))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_required_and_optional_parameters_by_index() {
        let v = json!(["0x1", null]);
        let p = Params::new("m", &v).unwrap();
        assert_eq!(p.get::<String>(0, "a").unwrap(), "0x1");
        assert_eq!(p.opt::<String>(1, "b").unwrap(), None);
        assert_eq!(p.opt::<String>(2, "c").unwrap(), None);
        let e = p.get::<String>(2, "c").unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (RpcError::INVALID_PARAMS, "m: missing parameter 2 (c)")
        );
        assert!(p.at_most(1).unwrap_err().message.contains("at most 1"));
    }

    #[test]
    fn refuses_object_params_and_wrong_types() {
        assert!(Params::new("m", &json!({"a": 1})).is_err());
        let v = json!([5]);
        let e = Params::new("m", &v)
            .unwrap()
            .get::<String>(0, "a")
            .unwrap_err();
        assert!(
            e.message.starts_with("m: parameter 0 (a): invalid type"),
            "{}",
            e.message
        );
    }
}
