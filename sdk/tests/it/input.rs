//! The vector inputs: the AES-128-CTR keystream (key 00..0f, zero IV), generated on the fly.

use std::io::Read;

use aes::cipher::{KeyIvInit, StreamCipher};

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// A reader of the first `len` keystream bytes.
pub(crate) struct KeyStream {
    cipher: Aes128Ctr,
    remaining: u64,
}

impl KeyStream {
    pub(crate) fn new(len: u64) -> Self {
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        Self {
            cipher: Aes128Ctr::new(&key.into(), &[0u8; 16].into()),
            remaining: len,
        }
    }
}

impl Read for KeyStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        buf[..n].fill(0);
        self.cipher.apply_keystream(&mut buf[..n]);
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// The first `len` keystream bytes in memory (small sizes only).
pub(crate) fn bytes(len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    KeyStream::new(len as u64).read_to_end(&mut v).unwrap();
    v
}

#[test]
fn keystream_starts_like_openssl() {
    // sha256 of the first byte, from small.json.
    use sha2::Digest;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(bytes(1))),
        "49994461d6b46390f014c8c5275a8591ef8764760afe2739cee23f6fbe285778"
    );
}
