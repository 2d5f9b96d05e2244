//! The module's allocator in wasm: a bump allocator that never frees (the FVM drops an actor's
//! memory after each invocation). Same design as the devnet's other builtin actors.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;

const PAGE: usize = 65_536;

unsafe extern "C" {
    /// The end of the stack and static data, defined by wasm-ld.
    static __heap_base: u8;
}

struct Bump {
    next: Cell<usize>,
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
            // The heap starts where the linker put its base, in the last page of the initial
            // memory (which the FVM has already charged for), not at the next page.
            // SAFETY: only the address of the linker's symbol is taken.
            let base = unsafe { core::ptr::addr_of!(__heap_base) } as usize;
            self.next.set(base);
            self.end.set(wasm32::memory_size(0) * PAGE);
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
