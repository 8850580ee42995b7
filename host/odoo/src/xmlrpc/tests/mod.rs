//! Codec tests through the public functions: round trips, every type, and payloads shaped
//! as Odoo 18/19 send them (odoo-external-api.md §4.5). Malformed input: [`malformed`].

mod fast;
mod malformed;

use serde_json::{Value, json};

use super::*;

fn response(value_xml: &str) -> String {
    format!(
        "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n{value_xml}\n</param>\n</params>\n</methodResponse>\n"
    )
}

fn decode_value(value_xml: &str) -> Result<Value, Error> {
    decode_response(response(value_xml).as_bytes()).map(|r| r.expect("not a fault"))
}

#[test]
fn round_trip_call() {
    let params = vec![
        json!("odoo"),
        json!(2),
        json!("secret & <key>"),
        json!("crm.lead"),
        json!("search_read"),
        json!([[["type", "=", "lead"], "|", ["id", ">", 3_000_000_000i64]]]),
        json!({"fields": ["name", "email_from"], "limit": 5, "context": {"lang": "en_US", "tz": null}}),
        json!(-1.25),
        json!(false),
        json!([]),
        json!({}),
        json!(""),
    ];
    let (method, decoded) = decode_call(encode_call("execute_kw", &params).as_bytes()).unwrap();
    assert_eq!(method, "execute_kw");
    assert_eq!(decoded, params);
}

#[test]
fn round_trip_response_and_fault() {
    let value = json!([{"id": 7, "partner_id": [3, "Azure <Interior>"], "amount": 1.5, "note": false, "x": null}]);
    assert_eq!(
        decode_response(encode_response(&value).as_bytes()).unwrap(),
        Ok(value)
    );
    let fault = Fault {
        code: 2,
        message: "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)"
            .into(),
    };
    assert_eq!(
        decode_response(encode_fault(&fault).as_bytes()).unwrap(),
        Err(fault)
    );
}

#[test]
fn round_trip_keeps_what_xml_can_carry() {
    let s = "tab\there\r\nCRLF ünïcødé 🚀 ]]> &amp; '\"";
    let v = json!(s);
    assert_eq!(
        decode_response(encode_response(&v).as_bytes()).unwrap(),
        Ok(v)
    );
    let stripped = json!("a\u{1}b\u{7}c");
    assert_eq!(
        decode_response(encode_response(&stripped).as_bytes()).unwrap(),
        Ok(json!("abc"))
    );
}

#[test]
fn every_integer_tag() {
    for tag in ["int", "i4", "i8", "i1", "i2", "biginteger", "ex:i8"] {
        let xml = format!("<value><{tag}>-12</{tag}></value>");
        assert_eq!(decode_value(&xml).unwrap(), json!(-12), "{tag}");
    }
    assert_eq!(
        decode_value("<value><i8>9223372036854775807</i8></value>").unwrap(),
        json!(i64::MAX)
    );
    assert_eq!(
        decode_value("<value><int>3000000000</int></value>").unwrap(),
        json!(3_000_000_000i64)
    );
}

#[test]
fn large_ints_round_trip_as_i8() {
    for n in [
        i64::from(i32::MAX) + 1,
        i64::from(i32::MIN) - 1,
        i64::MAX,
        i64::MIN,
    ] {
        let xml = encode_response(&json!(n));
        assert!(xml.contains("<i8>"), "{xml}");
        assert_eq!(decode_response(xml.as_bytes()).unwrap(), Ok(json!(n)));
    }
}

#[test]
fn every_other_type() {
    let cases = [
        ("<value><nil/></value>", json!(null)),
        ("<value><ex:nil/></value>", json!(null)),
        ("<value><nil></nil></value>", json!(null)),
        ("<value><boolean>1</boolean></value>", json!(true)),
        ("<value><boolean>0</boolean></value>", json!(false)),
        ("<value><double>2.5</double></value>", json!(2.5)),
        ("<value><float>-0.5</float></value>", json!(-0.5)),
        (
            "<value><bigdecimal>10.25</bigdecimal></value>",
            json!(10.25),
        ),
        ("<value><double>3</double></value>", json!(3.0)),
        ("<value><string>x</string></value>", json!("x")),
        ("<value><string/></value>", json!("")),
        ("<value>untyped</value>", json!("untyped")),
        ("<value>  </value>", json!("  ")),
        ("<value/>", json!("")),
        (
            "<value><string><![CDATA[<raw> & ]]></string></value>",
            json!("<raw> & "),
        ),
        (
            "<value><string>&#65;&#x42;&lt;&amp;&quot;&apos;&gt;</string></value>",
            json!("AB<&\"'>"),
        ),
        (
            "<value><dateTime.iso8601>20260102T03:04:05</dateTime.iso8601></value>",
            json!("2026-01-02 03:04:05"),
        ),
        (
            "<value><base64>aGVs\nbG8=</base64></value>",
            json!("aGVsbG8="),
        ),
        ("<value><array><data/></array></value>", json!([])),
        ("<value><struct/></value>", json!({})),
        (
            "<value><struct><member><name>a</name><value><int>1</int></value></member>\
             <member><name>a</name><value><int>2</int></value></member></struct></value>",
            json!({"a": 2}),
        ),
        ("<value>\n  <int>5</int>\n</value>", json!(5)),
        ("<value><!-- note --><int>6</int></value>", json!(6)),
        ("<value>a<!-- c -->b<?pi x?>c</value>", json!("abc")),
    ];
    for (xml, expected) in cases {
        assert_eq!(decode_value(xml).unwrap(), expected, "{xml}");
    }
}

/// `search_read` on crm.lead as Odoo 19 answers it: `<int>`, many2one pairs, `false` for
/// empty values, string dates, `<double>` monetary.
#[test]
fn captured_search_read_response() {
    let body = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n\
<value><struct>\n<member>\n<name>id</name>\n<value><int>42</int></value>\n</member>\n\
<member>\n<name>name</name>\n<value><string>Office chairs for Azure &amp; Co</string></value>\n</member>\n\
<member>\n<name>partner_id</name>\n<value><array><data>\n<value><int>14</int></value>\n<value><string>Azure Interior</string></value>\n</data></array></value>\n</member>\n\
<member>\n<name>email_from</name>\n<value><boolean>0</boolean></value>\n</member>\n\
<member>\n<name>expected_revenue</name>\n<value><double>12500.0</double></value>\n</member>\n\
<member>\n<name>tag_ids</name>\n<value><array><data>\n<value><int>1</int></value>\n<value><int>3</int></value>\n</data></array></value>\n</member>\n\
<member>\n<name>create_date</name>\n<value><string>2026-01-02 03:04:05</string></value>\n</member>\n\
</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n";
    assert_eq!(
        decode_response(body.as_bytes()).unwrap(),
        Ok(json!([{
            "id": 42,
            "name": "Office chairs for Azure & Co",
            "partner_id": [14, "Azure Interior"],
            "email_from": false,
            "expected_revenue": 12500.0,
            "tag_ids": [1, 3],
            "create_date": "2026-01-02 03:04:05",
        }]))
    );
}

#[test]
fn captured_version_response() {
    let body = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n\
<member>\n<name>server_version</name>\n<value><string>19.0</string></value>\n</member>\n\
<member>\n<name>server_version_info</name>\n<value><array><data>\n<value><int>19</int></value>\n<value><int>0</int></value>\n<value><int>0</int></value>\n<value><string>final</string></value>\n<value><int>0</int></value>\n<value><string></string></value>\n</data></array></value>\n</member>\n\
<member>\n<name>server_serie</name>\n<value><string>19.0</string></value>\n</member>\n\
<member>\n<name>protocol_version</name>\n<value><int>1</int></value>\n</member>\n\
</struct></value>\n</param>\n</params>\n</methodResponse>\n";
    let v = decode_response(body.as_bytes()).unwrap().unwrap();
    assert_eq!(v["server_version_info"], json!([19, 0, 0, "final", 0, ""]));
    assert_eq!(v["protocol_version"], json!(1));
}

fn odoo_fault(code: i32, text: &str) -> String {
    format!(
        "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n\
<member>\n<name>faultCode</name>\n<value><int>{code}</int></value>\n</member>\n\
<member>\n<name>faultString</name>\n<value><string>{text}</string></value>\n</member>\n\
</struct></value>\n</fault>\n</methodResponse>\n"
    )
}

#[test]
fn captured_faults() {
    let cases = [
        (
            4,
            "You are not allowed to access 'Lead' (crm.lead) records.\n\nThis operation is allowed for the following groups:\n\t- Sales/Administrator",
        ),
        (3, "Access Denied"),
        (
            2,
            "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)",
        ),
        (2, "Object no.such.model doesn't exist"),
        (
            1,
            "Traceback (most recent call last):\n  File \"/odoo/odoo/http.py\", line 2100, in _serve_db\n    return service_model.retrying(self._serve_ir_http, self.env)\nValueError: Wrong value for crm.lead.type: 'nope'\n",
        ),
        (
            1,
            "Traceback (most recent call last):\n  File \"/usr/lib/python3/dist-packages/odoo/addons/rpc/controllers/xmlrpc.py\", line 160, in xmlrpc_2\n    response = self._xmlrpc(service)\nTypeError: cannot marshal None unless allow_none is enabled\n",
        ),
    ];
    for (code, text) in cases {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let decoded = decode_response(odoo_fault(code, &escaped).as_bytes()).unwrap();
        assert_eq!(
            decoded,
            Err(Fault {
                code,
                message: text.to_owned()
            })
        );
    }
}

#[test]
fn malformed_faults_are_errors() {
    let string_code = "<methodResponse><fault><value><struct><member><name>faultCode</name><value><string>warning -- MissingError</string></value></member><member><name>faultString</name><value><string></string></value></member></struct></value></fault></methodResponse>";
    let err = decode_response(string_code.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed xml-rpc fault: faultCode is a string, not an int"
    );
    let no_string = "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>1</int></value></member></struct></value></fault></methodResponse>";
    assert!(matches!(
        decode_response(no_string.as_bytes()),
        Err(Error::BadFault { .. })
    ));
    let not_struct = "<methodResponse><fault><value><int>1</int></value></fault></methodResponse>";
    assert!(matches!(
        decode_response(not_struct.as_bytes()),
        Err(Error::BadFault { .. })
    ));
}

#[test]
fn byte_order_mark_is_skipped() {
    let body = format!("\u{feff}{}", encode_response(&json!(1)));
    assert_eq!(decode_response(body.as_bytes()).unwrap(), Ok(json!(1)));
}

#[test]
fn call_without_params_and_python_style_call() {
    assert_eq!(
        decode_call(b"<methodCall><methodName>version</methodName></methodCall>").unwrap(),
        ("version".to_owned(), vec![])
    );
    let python = "<?xml version='1.0'?>\n<methodCall>\n<methodName>authenticate</methodName>\n<params>\n\
<param>\n<value><string>odoo</string></value>\n</param>\n<param>\n<value><string>admin</string></value>\n</param>\n\
<param>\n<value><string>admin</string></value>\n</param>\n<param>\n<value><struct>\n</struct></value>\n</param>\n\
</params>\n</methodCall>\n";
    assert_eq!(
        decode_call(python.as_bytes()).unwrap(),
        (
            "authenticate".to_owned(),
            vec![json!("odoo"), json!("admin"), json!("admin"), json!({})]
        )
    );
}
