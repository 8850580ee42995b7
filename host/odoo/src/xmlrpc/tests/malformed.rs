//! Malformed, truncated, hostile and oversized input: always an `Error` naming the
//! problem, never a panic or a stack overflow.

use serde_json::json;

use super::super::*;
use super::{decode_value, response};

fn call_err(body: &str) -> Error {
    decode_call(body.as_bytes()).unwrap_err()
}

fn response_err(body: &str) -> Error {
    decode_response(body.as_bytes()).unwrap_err()
}

#[test]
fn truncated_bodies() {
    let full = encode_call("execute_kw", &[json!({"a": [1, 2, "x"]})]);
    for cut in 0..full.len() - 1 {
        let err = decode_call(&full.as_bytes()[..cut]).unwrap_err();
        assert!(
            matches!(err, Error::Truncated { .. } | Error::Xml { .. }),
            "cut at {cut}: {err:?}"
        );
    }
    assert_eq!(
        response_err("<methodResponse><params><param><value><int>1</int>").to_string(),
        "xml-rpc body ends early at byte 50, expected </value> (one type element per value)"
    );
}

#[test]
fn wrong_root_and_misplaced_elements() {
    assert_eq!(
        call_err("<methodResponse><params/></methodResponse>").to_string(),
        "unexpected <methodResponse> at byte 0, expected <methodCall>"
    );
    assert!(matches!(
        response_err("<methodCall><methodName>x</methodName></methodCall>"),
        Error::Unexpected { .. }
    ));
    assert!(matches!(
        call_err("<methodCall><methodName></methodName></methodCall>"),
        Error::Unexpected { .. }
    ));
    assert!(matches!(
        call_err(
            "<methodCall><methodName>x</methodName><params><param></param></params></methodCall>"
        ),
        Error::Unexpected { .. }
    ));
    assert!(matches!(
        response_err("<methodResponse><params></params></methodResponse>"),
        Error::Unexpected { .. }
    ));
    let two = response("<value><int>1</int></value></param><param><value><int>2</int></value>");
    assert!(matches!(response_err(&two), Error::Unexpected { .. }));
    assert!(matches!(
        decode_value("<value><int>1</int><int>2</int></value>"),
        Err(Error::Unexpected { .. })
    ));
    assert!(matches!(
        decode_value("<value>text<int>1</int></value>"),
        Err(Error::Unexpected { .. })
    ));
    assert!(matches!(
        decode_value("<value><int>1<b/></int></value>"),
        Err(Error::Unexpected { .. })
    ));
    assert!(matches!(
        decode_value("<value><array><value/></array></value>"),
        Err(Error::Unexpected { .. })
    ));
    assert!(matches!(
        decode_value("<value><struct><member><value/><name>a</name></member></struct></value>"),
        Err(Error::Unexpected { .. })
    ));
    assert!(matches!(
        decode_value("<value><param/></value>"),
        Err(Error::Unexpected { .. })
    ));
    let trailing = format!("{}<extra/>", encode_response(&json!(1)));
    assert!(matches!(response_err(&trailing), Error::Unexpected { .. }));
    assert!(matches!(
        response_err("<!DOCTYPE x [<!ENTITY a 'b'>]><methodResponse/>"),
        Error::Unexpected { .. }
    ));
}

#[test]
fn unknown_type_and_entity() {
    assert_eq!(
        decode_value("<value><date>2026-01-02</date></value>")
            .unwrap_err()
            .to_string(),
        "unknown xml-rpc type <date> at byte 63"
    );
    assert!(matches!(
        decode_value("<value><string>&nbsp;</string></value>"),
        Err(Error::UnknownEntity { .. })
    ));
}

#[test]
fn bad_scalars_name_the_value() {
    assert_eq!(
        decode_value("<value><int>12x</int></value>")
            .unwrap_err()
            .to_string(),
        "bad number in <int> at byte 63: \"12x\""
    );
    assert_eq!(
        decode_value("<value><int>99999999999999999999</int></value>")
            .unwrap_err()
            .to_string(),
        "integer 99999999999999999999 at byte 63 does not fit in 64 bits"
    );
    assert!(matches!(
        decode_value("<value><double>nan</double></value>"),
        Err(Error::BadNumber { tag: "double", .. })
    ));
    assert_eq!(
        decode_value("<value><boolean>true</boolean></value>")
            .unwrap_err()
            .to_string(),
        "bad <boolean> value at byte 63: \"true\" (expected 0 or 1)"
    );
    assert!(matches!(
        decode_value("<value><dateTime.iso8601>yesterday</dateTime.iso8601></value>"),
        Err(Error::BadValue {
            tag: "dateTime.iso8601",
            ..
        })
    ));
    assert!(matches!(
        decode_value("<value><nil>x</nil></value>"),
        Err(Error::Unexpected { .. })
    ));
    let long = "9".repeat(10_000);
    let msg = decode_value(&format!("<value><int>{long}</int></value>"))
        .unwrap_err()
        .to_string();
    assert!(msg.len() < 200, "{msg}");
}

#[test]
fn malformed_xml() {
    assert!(matches!(
        response_err("<methodResponse><params></param></methodResponse>"),
        Error::Xml { .. }
    ));
    assert!(matches!(response_err("<methodResponse"), Error::Xml { .. }));
    assert!(matches!(
        decode_value("<value><string>a & b</string></value>"),
        Err(Error::Xml { .. })
    ));
    assert!(matches!(
        decode_response(b"\xff\xfe<x/>"),
        Err(Error::NotUtf8 { offset: 0 })
    ));
    assert!(matches!(response_err(""), Error::Truncated { .. }));
}

fn nested_arrays(levels: usize) -> String {
    format!(
        "{}<value><int>1</int></value>{}",
        "<value><array><data>".repeat(levels),
        "</data></array></value>".repeat(levels)
    )
}

#[test]
fn depth_limit() {
    // The top-level value plus MAX_DEPTH - 1 arrays around the leaf is exactly the limit.
    assert!(decode_response(response(&nested_arrays(MAX_DEPTH - 1)).as_bytes()).is_ok());
    assert!(matches!(
        decode_response(response(&nested_arrays(MAX_DEPTH)).as_bytes()),
        Err(Error::TooDeep {
            limit: MAX_DEPTH,
            ..
        })
    ));
    // Far deeper than any stack could take recursively: refused early, no overflow.
    let hostile = response(&nested_arrays(200_000));
    assert!(matches!(
        decode_response(hostile.as_bytes()),
        Err(Error::TooDeep { .. })
    ));
    let structs = format!(
        "{}<value/>",
        "<value><struct><member><name>a</name>".repeat(MAX_DEPTH + 1)
    );
    assert!(matches!(decode_value(&structs), Err(Error::TooDeep { .. })));
}

#[test]
fn size_limit() {
    let big = vec![b' '; MAX_BODY_BYTES + 1];
    assert!(
        matches!(decode_response(&big), Err(Error::TooLarge { size, limit: MAX_BODY_BYTES }) if size == MAX_BODY_BYTES + 1)
    );
    assert!(matches!(decode_call(&big), Err(Error::TooLarge { .. })));
}

/// A deterministic stand-in for the fuzz target on stable: thousands of byte-level
/// mutations of real payloads must decode or fail cleanly.
#[test]
fn mutated_payloads_never_panic() {
    let seeds = [
        encode_call(
            "execute_kw",
            &[
                json!("odoo"),
                json!(2),
                json!({"a": [1, 2.5, null, "x&y"], "b": {"c": true}}),
            ],
        ),
        encode_response(&json!([{"id": 3_000_000_000i64, "partner_id": [1, "A"], "x": false}])),
        encode_fault(&Fault {
            code: 1,
            message: "Traceback\nValueError: x".into(),
        }),
        response("<value><dateTime.iso8601>20260102T03:04:05</dateTime.iso8601></value>"),
    ];
    // A fixed linear congruential generator: the same mutations on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % bound.max(1)
    };
    const ALPHABET: &[u8] = b"<>/&;#x0123456789 \n\"'=abcdefghilmnorstuvwxyzTZ-+.:![]";
    for seed in &seeds {
        for _ in 0..2_000 {
            let mut bytes = seed.as_bytes().to_vec();
            for _ in 0..=next(4) {
                let at = next(bytes.len());
                match next(4) {
                    0 => bytes[at] = ALPHABET[next(ALPHABET.len())],
                    1 => drop(bytes.remove(at)),
                    2 => bytes.insert(at, ALPHABET[next(ALPHABET.len())]),
                    _ => {
                        let end = (at + next(40)).min(bytes.len());
                        let chunk = bytes[at..end].to_vec();
                        bytes.splice(at..at, chunk);
                    }
                }
            }
            let _ = decode_call(&bytes);
            let _ = decode_response(&bytes);
        }
    }
}

#[test]
fn unknown_tags_are_named_from_the_body() {
    assert_eq!(
        decode_value("<value><ex:date>2026</ex:date></value>")
            .unwrap_err()
            .to_string(),
        "unknown xml-rpc type <date> at byte 63"
    );
    let trailing = format!("{}<extra a='1'/>", encode_response(&json!(1)));
    assert_eq!(
        response_err(&trailing).to_string(),
        format!(
            "unexpected <extra> at byte {}, expected end of document after the root element",
            trailing.len() - 14
        )
    );
    assert_eq!(
        call_err("<methodCall><methodName>x</methodName></foo></methodCall>").to_string(),
        "malformed xml near byte 38"
    );
}
