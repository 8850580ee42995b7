//! The client's XML-RPC work for one 50-record `search_read` page, in process: encoding the
//! `execute_kw` request and decoding the answer into `serde_json::Value`. Prints p50/p99;
//! asserts nothing. Run: `cargo bench -p daniel-odoo --bench codec` (`-- --quick` for a
//! short run). No sockets, so it is steady enough for `valgrind --tool=callgrind`.
//!
//! `fixtures/search_read_50.xml` holds the bytes Python's `xmlrpc.client.dumps` (Odoo's
//! marshaller) writes for 50 partners × 6 fields, newlines between elements included:
//! the decoder must skip that whitespace, which our own encoder never emits. Written by:
//!
//!     rows = [{'id': i, 'name': f'Bench partner {i}' if i % 7 else f'Smith & Sons {i}',
//!              'email': f'p{i}@bench.example', 'phone': False if i % 2 else f'+33 1 23 45 67 {i:02d}',
//!              'city': 'Paris' if i % 3 else False, 'is_company': i % 4 == 0} for i in range(1, 51)]
//!     open('search_read_50.xml', 'w').write(xmlrpc.client.dumps((rows,), methodresponse=True))

use std::hint::black_box;
use std::time::{Duration, Instant};

use daniel_odoo::xmlrpc;
use serde_json::{Value, json};

const PAGE: &[u8] = include_bytes!("fixtures/search_read_50.xml");

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 2_000 } else { 20_000 };
    let params = request_params();

    let encode = measure(rounds, || {
        black_box(xmlrpc::encode_call("execute_kw", black_box(&params)));
    });
    let decode = measure(rounds, || {
        let page = xmlrpc::decode_response(black_box(PAGE)).expect("fixture decodes");
        black_box(page.expect("fixture is not a fault"));
    });
    report("encode execute_kw request", &encode);
    report("decode 50-record page (25 KB)", &decode);
    println!(
        "codec total per 50-record search_read: p50 {:?}",
        encode[encode.len() / 2] + decode[decode.len() / 2]
    );
}

/// The seven `execute_kw` parameters the client sends for the page.
fn request_params() -> Vec<Value> {
    vec![
        json!("odoo"),
        json!(2),
        json!("0123456789abcdef0123456789abcdef01234567"),
        json!("res.partner"),
        json!("search_read"),
        json!([[["is_company", "=", false], ["city", "!=", false]]]),
        json!({
            "fields": ["name", "email", "phone", "city", "is_company"],
            "limit": 50,
            "context": {"lang": "en_US", "tz": "Europe/Paris"},
        }),
    ]
}

/// Runs `op` a few times to warm up, then `rounds` timed times; returns sorted samples.
fn measure(rounds: usize, mut op: impl FnMut()) -> Vec<Duration> {
    for _ in 0..rounds / 10 {
        op();
    }
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        op();
        samples.push(start.elapsed());
    }
    samples.sort_unstable();
    samples
}

fn report(what: &str, sorted: &[Duration]) {
    println!(
        "{what}: p50 {:?}, p99 {:?}",
        sorted[sorted.len() / 2],
        sorted[sorted.len() * 99 / 100]
    );
}
