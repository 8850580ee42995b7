//! JSON → XML-RPC. Infallible: every JSON value has an XML-RPC form.
//!
//! The walk is iterative (an explicit stack) so a programmatically built, absurdly deep
//! `Value` cannot overflow the thread's stack.

use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::Fault;

const DECL: &str = "<?xml version=\"1.0\"?>\n";

/// Encodes a `<methodCall>` of `method` with `params`, each as one `<param>`.
pub fn encode_call(method: &str, params: &[Value]) -> String {
    encode_call_with(method, params.iter())
}

/// [`encode_call`] over borrowed parameters, so callers need not clone large arguments.
pub(crate) fn encode_call_with<'a>(
    method: &str,
    params: impl ExactSizeIterator<Item = &'a Value>,
) -> String {
    let mut out = String::with_capacity(128 + 64 * params.len());
    out.push_str(DECL);
    out.push_str("<methodCall><methodName>");
    push_escaped(&mut out, method);
    out.push_str("</methodName><params>");
    for param in params {
        out.push_str("<param>");
        push_value(&mut out, param);
        out.push_str("</param>");
    }
    out.push_str("</params></methodCall>\n");
    out
}

/// Encodes a successful `<methodResponse>` carrying `value`.
pub fn encode_response(value: &Value) -> String {
    let mut out = String::with_capacity(128);
    out.push_str(DECL);
    out.push_str("<methodResponse><params><param>");
    push_value(&mut out, value);
    out.push_str("</param></params></methodResponse>\n");
    out
}

/// Encodes a `<methodResponse>` carrying a `<fault>`, shaped as Odoo sends it.
pub fn encode_fault(fault: &Fault) -> String {
    let mut out = String::with_capacity(256 + fault.message.len());
    out.push_str(DECL);
    out.push_str("<methodResponse><fault><value><struct>");
    let _ = write!(
        out,
        "<member><name>faultCode</name><value><int>{}</int></value></member>",
        fault.code
    );
    out.push_str("<member><name>faultString</name><value><string>");
    push_escaped(&mut out, &fault.message);
    out.push_str("</string></value></member>");
    out.push_str("</struct></value></fault></methodResponse>\n");
    out
}

/// One pending piece of output in the iterative walk.
enum Step<'a> {
    Value(&'a Value),
    MemberName(&'a str),
    Raw(&'static str),
}

fn push_value(out: &mut String, root: &Value) {
    let mut stack = vec![Step::Value(root)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Raw(text) => out.push_str(text),
            Step::MemberName(name) => {
                out.push_str("<member><name>");
                push_escaped(out, name);
                out.push_str("</name>");
            }
            Step::Value(Value::Array(items)) => {
                out.push_str("<value><array><data>");
                stack.push(Step::Raw("</data></array></value>"));
                stack.extend(items.iter().rev().map(Step::Value));
            }
            Step::Value(Value::Object(members)) => {
                out.push_str("<value><struct>");
                stack.push(Step::Raw("</struct></value>"));
                // Pushed in reverse so they pop as name, value, end of member.
                for (name, value) in members.iter().rev() {
                    stack.push(Step::Raw("</member>"));
                    stack.push(Step::Value(value));
                    stack.push(Step::MemberName(name));
                }
            }
            Step::Value(scalar) => push_scalar(out, scalar),
        }
    }
}

fn push_scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("<value><nil/></value>"),
        Value::Bool(b) => out.push_str(if *b {
            "<value><boolean>1</boolean></value>"
        } else {
            "<value><boolean>0</boolean></value>"
        }),
        Value::Number(n) => push_number(out, n),
        Value::String(s) => {
            out.push_str("<value><string>");
            push_escaped(out, s);
            out.push_str("</string></value>");
        }
        Value::Array(_) | Value::Object(_) => unreachable!("containers are walked by push_value"),
    }
}

fn push_number(out: &mut String, n: &Number) {
    // `write!` formats straight into `out`: no `String` per number. Writing to a `String`
    // cannot fail.
    let _ = if let Some(i) = n.as_i64() {
        if i32::try_from(i).is_ok() {
            write!(out, "<value><int>{i}</int></value>")
        } else {
            write!(out, "<value><i8>{i}</i8></value>")
        }
    } else if let Some(u) = n.as_u64() {
        // Above i64::MAX: still exact; Python reads any size of `<i8>`, our decoder refuses it.
        write!(out, "<value><i8>{u}</i8></value>")
    } else {
        // JSON numbers are finite; Display never uses an exponent, as the XML-RPC spec wants.
        let f = n.as_f64().unwrap_or_default();
        write!(out, "<value><double>{f}</double></value>")
    };
}

/// Appends `text` escaped for XML character data, dropping characters XML 1.0 forbids.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A literal CR would be normalised to LF by the receiving parser.
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn value_xml(v: &Value) -> String {
        let mut out = String::new();
        push_value(&mut out, v);
        out
    }

    #[test]
    fn scalars_use_odoo_tags() {
        assert_eq!(value_xml(&json!(null)), "<value><nil/></value>");
        assert_eq!(
            value_xml(&json!(true)),
            "<value><boolean>1</boolean></value>"
        );
        assert_eq!(
            value_xml(&json!(false)),
            "<value><boolean>0</boolean></value>"
        );
        assert_eq!(value_xml(&json!(42)), "<value><int>42</int></value>");
        assert_eq!(
            value_xml(&json!(-2147483648i64)),
            "<value><int>-2147483648</int></value>"
        );
        assert_eq!(
            value_xml(&json!(2147483648i64)),
            "<value><i8>2147483648</i8></value>"
        );
        assert_eq!(
            value_xml(&json!(u64::MAX)),
            "<value><i8>18446744073709551615</i8></value>"
        );
        assert_eq!(
            value_xml(&json!(1.5)),
            "<value><double>1.5</double></value>"
        );
        assert_eq!(value_xml(&json!("x")), "<value><string>x</string></value>");
    }

    #[test]
    fn floats_never_use_exponents() {
        assert_eq!(
            value_xml(&json!(1e21)),
            "<value><double>1000000000000000000000</double></value>"
        );
        assert_eq!(
            value_xml(&json!(1e-7)),
            "<value><double>0.0000001</double></value>"
        );
    }

    #[test]
    fn strings_are_escaped_and_control_characters_dropped() {
        let v = json!("a&b<c>d\"e'f\tg\nh\ri\u{0}j\u{1b}k\u{fffe}l");
        assert_eq!(
            value_xml(&v),
            "<value><string>a&amp;b&lt;c&gt;d\"e'f\tg\nh&#13;ijkl</string></value>"
        );
    }

    #[test]
    fn containers_keep_order() {
        let v = json!([1, {"a": [], "b": {}}]);
        assert_eq!(
            value_xml(&v),
            "<value><array><data><value><int>1</int></value><value><struct>\
             <member><name>a</name><value><array><data></data></array></value></member>\
             <member><name>b</name><value><struct></struct></value></member>\
             </struct></value></data></array></value>"
        );
    }

    #[test]
    fn absurd_depth_does_not_overflow_the_stack() {
        let mut v = json!(1);
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        let xml = value_xml(&v);
        assert!(xml.starts_with("<value><array><data><value><array>"));
        // Dropping a 100k-deep Value recurses in serde_json; leak it instead.
        std::mem::forget(v);
    }

    #[test]
    fn fault_has_odoo_shape() {
        let xml = encode_fault(&Fault {
            code: 4,
            message: "no <access>".into(),
        });
        assert!(xml.contains(
            "<member><name>faultCode</name><value><int>4</int></value></member>\
             <member><name>faultString</name><value><string>no &lt;access&gt;</string></value></member>"
        ));
    }
}
