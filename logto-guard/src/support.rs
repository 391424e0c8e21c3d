//! Small helpers every layer uses: a mutex lock that survives poisoning, the Unix clock, and the
//! heap-size estimates behind the token cache's byte budget.

/// Locks a mutex that guards plain data: a panic elsewhere cannot leave it inconsistent.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// What the allocator adds to each allocation (glibc: an 8-byte header, and rounding up to 16
/// bytes, 8 on average).
pub(crate) const PER_ALLOCATION: usize = 16;

/// The heap memory a boxed string holds, with the allocator's overhead.
pub(crate) fn str_heap_bytes(string: &str) -> usize {
    match string.len() {
        0 => 0,
        len => len + PER_ALLOCATION,
    }
}

/// The heap memory the strings of a slice hold (not the slice's own allocation).
pub(crate) fn strs_heap_bytes<S: std::ops::Deref<Target = str>>(strings: &[S]) -> usize {
    strings.iter().map(|string| str_heap_bytes(string)).sum()
}
