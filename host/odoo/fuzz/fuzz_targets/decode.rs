//! Feeds arbitrary bytes to both XML-RPC decoders: they must return `Ok` or `Err`, never
//! panic, overflow the stack or hang. Whatever decodes must survive a re-encode and decode.
//!
//! Run (needs a nightly toolchain and `cargo install cargo-fuzz`):
//!     cd host/odoo/fuzz && cargo +nightly fuzz run decode -- -max_len=65536 -max_total_time=300
//! Seed corpus: any `<methodCall>`/`<methodResponse>` files put in `corpus/decode/`.
#![no_main]

use daniel_odoo::xmlrpc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((method, params)) = xmlrpc::decode_call(data) {
        let again = xmlrpc::encode_call(&method, &params);
        match xmlrpc::decode_call(again.as_bytes()) {
            Ok((_, params2)) => assert_eq!(params.len(), params2.len()),
            // Encoding drops characters XML forbids; a name made only of them ends up empty.
            Err(e) => assert!(method.chars().all(|c| c.is_control() || c.is_whitespace()), "{e}"),
        }
    }
    if let Ok(answer) = xmlrpc::decode_response(data) {
        let again = match &answer {
            Ok(value) => xmlrpc::encode_response(value),
            Err(fault) => xmlrpc::encode_fault(fault),
        };
        let again = xmlrpc::decode_response(again.as_bytes()).expect("re-encoded response decodes");
        assert_eq!(again.is_ok(), answer.is_ok());
    }
});
