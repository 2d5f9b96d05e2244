//! The actors' allocator in wasm: a bump allocator that never frees.
//!
//! The FVM instantiates an actor for one invocation and drops its memory afterwards, so
//! freeing buys little; dropping `dlmalloc` keeps ~8 KB out of every module and makes
//! allocation a few instructions. Memory grows in 64 KiB pages above what the module already
//! uses (stack, data, and the initial heap).

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;

const PAGE: usize = 65_536;

struct Bump {
    /// Next free byte; 0 until the first allocation.
    next: Cell<usize>,
    /// End of memory.
    end: Cell<usize>,
}

// Wasm actors are single-threaded.
unsafe impl Sync for Bump {}

#[global_allocator]
static ALLOCATOR: Bump = Bump {
    next: Cell::new(0),
    end: Cell::new(0),
};

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.end.get() == 0 {
            let end = wasm32::memory_size(0) * PAGE;
            self.next.set(end);
            self.end.set(end);
        }
        let align = layout.align();
        let Some(start) = self
            .next
            .get()
            .checked_add(align - 1)
            .map(|n| n & !(align - 1))
        else {
            return core::ptr::null_mut();
        };
        let Some(new_next) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if new_next > self.end.get() {
            let pages = (new_next - self.end.get()).div_ceil(PAGE);
            if wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
            self.end.set(self.end.get() + pages * PAGE);
        }
        self.next.set(new_next);
        start as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}
