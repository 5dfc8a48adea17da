//! Fuzz target: [`soc2_fuzz::config`] on arbitrary bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    soc2_fuzz::config(data);
});
