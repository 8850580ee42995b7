//! The fast tokenizer against quick-xml: whatever the fast path decodes, quick-xml decodes
//! to the same value, and what peers really send takes the fast path.

use serde_json::json;

use super::super::decode::decode_response_with;
use super::super::*;
use super::response;

/// 50 partners as Python's `xmlrpc.client.dumps` writes them (Odoo's marshaller).
const PYTHON_PAGE: &[u8] = include_bytes!("../../../benches/fixtures/search_read_50.xml");

/// Decodes `body` both ways; returns whether the fast path accepted it.
fn agree(body: &[u8]) -> bool {
    let complete = decode_response_with(body, false);
    match decode_response_with(body, true) {
        Ok(fast) => {
            let complete = complete.unwrap_or_else(|e| panic!("quick-xml refused: {e}"));
            assert_eq!(fast, complete, "{}", String::from_utf8_lossy(body));
            true
        }
        Err(_) => false,
    }
}

#[test]
fn what_peers_send_takes_the_fast_path() {
    assert!(agree(PYTHON_PAGE));
    let value = json!([{"id": 7, "name": "A & <B>", "x": null, "ok": false, "f": 1.5,
        "big": 3_000_000_000i64, "m2o": [3, "Azure"], "e": [], "o": {}, "s": ""}]);
    assert!(agree(encode_response(&value).as_bytes()));
    let fault = Fault {
        code: 2,
        message: "it's \"wrong\" & <bad>".into(),
    };
    assert!(agree(encode_fault(&fault).as_bytes()));
    for value_xml in [
        "<value><nil/></value>",
        "<value/>",
        "<value><string/></value>",
        "<value>  untyped &amp; spaced  </value>",
        "<value><string>&lt;&gt;&amp;&apos;&quot;</string></value>",
        "<value><dateTime.iso8601>20260102T03:04:05</dateTime.iso8601></value>",
        "<value><base64>aGVs\nbG8=</base64></value>",
        "<value><i8>-9223372036854775808</i8></value>",
        "<value><string>]]> \u{1} ünïcødé 🚀</string></value>",
        "<value><array><data/></array></value>",
        "<value><array>\n<data>\n<value/>\n<value><nil/></value>\n</data>\n</array></value>",
        "<value><struct><member><name>a</name><value/></member>\n</struct></value>",
        "<value><struct><member><name/><value><struct/></value></member></struct></value>",
    ] {
        assert!(agree(response(value_xml).as_bytes()), "{value_xml}");
    }
}

#[test]
fn the_rest_is_left_to_quick_xml() {
    for value_xml in [
        "<value><ex:nil/></value>",
        "<value><string>a\r\nb</string></value>",
        "<value><string>&#65;</string></value>",
        "<value><string><![CDATA[<raw>]]></string></value>",
        "<value><!-- note --><int>1</int></value>",
        "<value><?pi x?><int>1</int></value>",
        "<value ><int>1</int></value>",
        "<value><int a=\"1\">1</int></value>",
        "<value><string>&nbsp;</string></value>",
        "<value><int>1</i4></value>",
        "<value><string>a & b</string></value>",
    ] {
        assert!(!agree(response(value_xml).as_bytes()), "{value_xml}");
    }
    assert!(!agree(b"<?xml version='1.0' x='>'?><methodResponse/>"));
}

#[test]
fn refused_bodies_still_decode_or_fail_as_before() {
    let crlf = response("<value><string>a\r\nb\rc</string></value>");
    assert_eq!(
        decode_response(crlf.as_bytes()).unwrap(),
        Ok(json!("a\nb\nc"))
    );
    let namespaced = response("<value><ex:i8>5</ex:i8></value>");
    assert_eq!(
        decode_response(namespaced.as_bytes()).unwrap(),
        Ok(json!(5))
    );
    let mismatched = response("<value><int>1</i4></value>");
    assert!(matches!(
        decode_response(mismatched.as_bytes()),
        Err(Error::Xml { .. })
    ));
}

#[test]
fn every_truncation_of_a_page_is_an_error() {
    for cut in (0..PYTHON_PAGE.len() - 1).step_by(31) {
        assert!(
            decode_response(&PYTHON_PAGE[..cut]).is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn expected_tags_do_not_swallow_text() {
    // The shortcut for an expected `</string>` steps over whitespace between elements; the
    // whitespace inside an element is text and must stay.
    for (value_xml, expected) in [
        ("<value><string>  </string></value>", json!("  ")),
        ("<value>\n</value>", json!("\n")),
        (
            "<value><struct><member><name> a </name><value/></member></struct></value>",
            json!({" a ": ""}),
        ),
    ] {
        let body = response(value_xml);
        assert!(agree(body.as_bytes()), "{value_xml}");
        assert_eq!(
            decode_response(body.as_bytes()).unwrap(),
            Ok(expected),
            "{value_xml}"
        );
    }
}
