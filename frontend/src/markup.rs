//! Display-only markup as escaped HTML strings, and the one delegated handler per screen that
//! acts on the buttons and forms inside it.
//!
//! Why: every `view!` element is compiled into its own creation and update code, and the wasm
//! budget was once nearly spent. The audit screen is mostly reading matter, re-rendered whenever
//! the log moves, so it (with the schedule forms and the users and members pages) is built as
//! strings (all text escaped here) whose controls carry `data-act` / `data-form` attributes that
//! one click and one submit handler dispatch on. Form state survives a re-render
//! (`set_preserving_inputs`).

use crate::api::ApiError;
use crate::components::feedback::sentence;
use serde_json::Value;
use wasm_bindgen::JsCast;

/// Text escaped for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A field of a JSON object (`null` when absent). Not inlined: the screens look up a hundred
/// fields, and each inlined map search would cost its own copy of the code.
#[inline(never)]
pub fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    v.get(key).unwrap_or(&NULL)
}

/// A string field of a JSON object ("" when absent).
#[inline(never)]
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    get(v, key).as_str().unwrap_or("")
}

/// A whole-number field of a JSON object (0 when absent).
#[inline(never)]
pub fn n(v: &Value, key: &str) -> i64 {
    get(v, key).as_i64().unwrap_or(0)
}

/// An array field of a JSON object (empty when absent).
#[inline(never)]
pub fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    get(v, key).as_array().map_or(&[], Vec::as_slice)
}

/// A wire name (`in_review`) as words ("in review").
pub fn words(wire: &str) -> String {
    wire.chars()
        .map(|c| if c == '_' { ' ' } else { c })
        .collect()
}

/// The element (or its closest ancestor) carrying `attribute`, from an event's target.
pub fn closest(event: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
    event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}

pub fn attr(element: &web_sys::Element, name: &str) -> String {
    element.get_attribute(name).unwrap_or_default()
}

/// A submitted form's fields.
pub struct Submitted {
    pub form: web_sys::HtmlFormElement,
    data: web_sys::FormData,
}

impl Submitted {
    pub fn from(event: &web_sys::SubmitEvent) -> Option<Self> {
        let form: web_sys::HtmlFormElement = event.target()?.dyn_into().ok()?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        Some(Self { form, data })
    }

    /// A field's trimmed value ("" when absent).
    pub fn get(&self, name: &str) -> String {
        self.data
            .get(name)
            .as_string()
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }

    pub fn data(&self, name: &str) -> String {
        attr(&self.form, name)
    }
}

/// What a field holds: text or a choice, or whether a box is ticked.
fn field_value(field: &web_sys::Element) -> Option<String> {
    if let Some(i) = field.dyn_ref::<web_sys::HtmlInputElement>() {
        return match i.type_().as_str() {
            "checkbox" | "radio" => Some(i.checked().to_string()),
            "file" => None,
            _ => Some(i.value()),
        };
    }
    if let Some(t) = field.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        return Some(t.value());
    }
    field
        .dyn_ref::<web_sys::HtmlSelectElement>()
        .map(|s| s.value())
}

fn set_field_value(field: &web_sys::Element, value: &str) {
    if let Some(i) = field.dyn_ref::<web_sys::HtmlInputElement>() {
        match i.type_().as_str() {
            "checkbox" | "radio" => i.set_checked(value == "true"),
            _ => i.set_value(value),
        }
    } else if let Some(t) = field.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.set_value(value);
    } else if let Some(s) = field.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.set_value(value);
    }
}

/// Replaces `element`'s content with `html`, keeping what the user was typing or choosing in
/// named fields of forms with a `data-key`, and the focus: a live re-render must not throw away a
/// half-written rationale or take the cursor away.
pub fn set_preserving_inputs(element: &web_sys::Element, html: &str) {
    let selector = |key: &str, name: &str| format!("form[data-key=\"{key}\"] [name=\"{name}\"]");
    let key_of = |field: &web_sys::Element| {
        field
            .closest("form[data-key]")
            .ok()
            .flatten()
            .map(|f| attr(&f, "data-key"))
    };
    // Fields of one name (rows of a table-like form) are told apart by their order.
    let mut kept: Vec<(String, u32, String)> = Vec::new();
    if let Ok(fields) = element.query_selector_all("form[data-key] [name]") {
        for i in 0..fields.length() {
            let Some(field) = fields
                .get(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            if let (Some(key), Some(value)) = (key_of(&field), field_value(&field)) {
                let selector = selector(&key, &attr(&field, "name"));
                let nth = kept.iter().filter(|(s, _, _)| *s == selector).count() as u32;
                kept.push((selector, nth, value));
            }
        }
    }
    let focused = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .filter(|a| element.contains(Some(a)))
        .and_then(|a| Some(selector(&key_of(&a)?, &a.get_attribute("name")?)));
    element.set_inner_html(html);
    for (selector, nth, value) in kept {
        if let Some(field) = element
            .query_selector_all(&selector)
            .ok()
            .and_then(|all| all.get(nth))
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        {
            set_field_value(&field, &value);
        }
    }
    if let Some(field) = focused.and_then(|s| element.query_selector(&s).ok().flatten())
        && let Some(field) = field.dyn_ref::<web_sys::HtmlElement>()
    {
        let _ = field.focus();
    }
}

/// The error of a failed request as a list: the message, then each field's problem.
pub fn error_html(error: &crate::api::ApiError) -> String {
    let mut out = format!(
        "<div class=\"banner banner-error\" role=\"alert\"><p class=\"banner-text\">{}</p>",
        esc(&error.message)
    );
    if !error.fields.is_empty() {
        out.push_str("<ul class=\"field-errors\">");
        for f in &error.fields {
            out.push_str(&format!(
                "<li><strong>{}</strong>: {}</li>",
                esc(&words(&f.field)),
                esc(&f.message)
            ));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
    out
}

/// `aria-invalid` and the message under a field, when the last submission reported one.
pub fn field_state(error: Option<&ApiError>, field: &str, id: &str) -> (String, String) {
    match error.and_then(|e| e.field(field)) {
        Some(message) => (
            format!(" aria-invalid=\"true\" aria-describedby=\"{id}\""),
            format!(
                "<p class=\"field-error\" id=\"{id}\" data-testid=\"field-error\" data-field=\"{field}\">{}</p>",
                esc(&message)
            ),
        ),
        None => (String::new(), String::new()),
    }
}

/// The error of a submission that is not about one field (field errors sit by their fields).
pub fn form_error(error: Option<&ApiError>) -> String {
    error.map_or(String::new(), |e| {
        let text = if e.fields.is_empty() {
            sentence(&e.message)
        } else {
            "Some fields need attention: see the messages next to them.".to_string()
        };
        format!(
            "<p class=\"form-error\" role=\"alert\" data-testid=\"form-error\">{}</p>",
            esc(&text)
        )
    })
}

/// A labelled input with its error state.
pub fn input(
    error: Option<&ApiError>,
    label: &str,
    kind: &str,
    name: &str,
    field: &str,
    testid: &str,
    extra: &str,
) -> String {
    let (invalid, message) = field_state(error, field, &format!("{testid}-error"));
    format!(
        "<label class=\"field\"><span>{label}</span><input type=\"{kind}\" name=\"{name}\" data-testid=\"{testid}\"{invalid}{extra}>{message}</label>"
    )
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn everything_that_could_open_markup_is_escaped() {
        assert_eq!(
            esc(r#"<img src=x onerror="alert('1')"> & co"#),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co"
        );
    }
}
