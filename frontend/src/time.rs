//! Readable times in the reader's own locale and time zone (via the browser's `Intl`).

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

fn locale() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en-GB".into())
}

fn js_date(at: &DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64))
}

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    object.into()
}

/// E.g. "26 Nov 2026, 10:31" (in the reader's locale).
pub fn date_time(at: &DateTime<Utc>) -> String {
    js_date(at)
        .to_locale_string(
            &locale(),
            &options(&[("dateStyle", "medium"), ("timeStyle", "short")]),
        )
        .into()
}

/// E.g. "26 Nov 2026, 10:31:07", for the audit trail where seconds matter.
pub fn date_time_seconds(at: &DateTime<Utc>) -> String {
    js_date(at)
        .to_locale_string(
            &locale(),
            &options(&[("dateStyle", "medium"), ("timeStyle", "medium")]),
        )
        .into()
}

/// E.g. "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else the date.
pub fn relative(at: &DateTime<Utc>, now_ms: f64) -> String {
    relative_from_seconds((now_ms - at.timestamp_millis() as f64) / 1000.0)
        .unwrap_or_else(|| date_time(at))
}

fn relative_from_seconds(seconds: f64) -> Option<String> {
    let s = seconds.max(0.0) as i64;
    Some(match s {
        0..=44 => "just now".into(),
        45..=89 => "1 min ago".into(),
        90..=3_599 => format!("{} min ago", (s + 30) / 60),
        3_600..=5_399 => "1 h ago".into(),
        5_400..=86_399 => format!("{} h ago", (s + 1_800) / 3_600),
        86_400..=172_799 => "yesterday".into(),
        172_800..=604_799 => format!("{} days ago", s / 86_400),
        _ => return None,
    })
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A `datetime-local` input value (local wall time, e.g. "2026-11-26T10:30") as an RFC 3339
/// instant in UTC, or `None` if the browser cannot read it.
pub fn local_input_to_rfc3339(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let date = js_sys::Date::new(&JsValue::from_str(value));
    if date.get_time().is_nan() {
        return None;
    }
    Some(date.to_iso_string().into())
}

/// An RFC 3339 instant as a `datetime-local` input value (local wall time, to the minute), or
/// "" if the browser cannot read it: the inverse of `local_input_to_rfc3339`.
pub fn rfc3339_to_local_input(value: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(value));
    if date.get_time().is_nan() {
        return String::new();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

#[cfg(test)]
mod tests {
    use super::relative_from_seconds;

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative_from_seconds(3.0).as_deref(), Some("just now"));
        assert_eq!(relative_from_seconds(60.0).as_deref(), Some("1 min ago"));
        assert_eq!(relative_from_seconds(600.0).as_deref(), Some("10 min ago"));
        assert_eq!(relative_from_seconds(7_200.0).as_deref(), Some("2 h ago"));
        assert_eq!(
            relative_from_seconds(90_000.0).as_deref(),
            Some("yesterday")
        );
        assert_eq!(
            relative_from_seconds(3.0 * 86_400.0).as_deref(),
            Some("3 days ago")
        );
        assert_eq!(relative_from_seconds(30.0 * 86_400.0), None);
    }
}
