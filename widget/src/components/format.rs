//! How the panel writes amounts, dates and times: pure functions (the clock and the time
//! zone come in as arguments), so each rule is tested with fixed inputs.
//!
//! Text is in US English, like the rest of the panel: `$12,500`, `Dec 16, 2025`,
//! `2:00 – 3:30 PM`. Times are shown in the agent's own time zone (the browser's).

use wasm_bindgen::prelude::*;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A day in the calendar, without a time or a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalendarDate {
    pub year: i32,
    /// 1-12.
    pub month: u32,
    /// 1-31.
    pub day: u32,
}

impl CalendarDate {
    /// Reads `YYYY-MM-DD` (Salesforce's date fields); anything else is `None`.
    pub fn parse(text: &str) -> Option<CalendarDate> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let date = CalendarDate {
            year: i32::try_from(number(0..4)?).ok()?,
            month: number(5..7)?,
            day: number(8..10)?,
        };
        (date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= date.month_length())
            .then_some(date)
    }

    fn is_leap_year(self) -> bool {
        self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0)
    }

    fn month_length(self) -> u32 {
        match self.month {
            2 if self.is_leap_year() => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// Days since 1970-01-01 (negative before it), for differences between dates.
    pub fn day_number(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// `Mon`..`Sun`.
    pub fn weekday(self) -> &'static str {
        // 1970-01-01 was a Thursday.
        WEEKDAYS[(self.day_number() + 3).rem_euclid(7) as usize]
    }
}

/// A wall-clock time in the agent's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDateTime {
    pub date: CalendarDate,
    /// 0-23.
    pub hour: u32,
    pub minute: u32,
}

/// An instant as the panel uses it: its place on the timeline (to compare with now) and
/// its wall-clock reading in the agent's time zone (to show).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instant {
    /// Milliseconds since the Unix epoch.
    pub ms: f64,
    pub local: LocalDateTime,
}

impl Instant {
    /// Reads an RFC 3339 timestamp with the browser's clock rules; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Instant> {
        let date = js_sys::Date::new(&JsValue::from_str(text.trim()));
        let ms = date.get_time();
        if text.trim().is_empty() || ms.is_nan() {
            return None;
        }
        Some(Instant {
            ms,
            local: local_of(&date),
        })
    }
}

/// "Now", as the panel compares against it: the instant and the agent's calendar day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Now {
    pub ms: f64,
    pub today: CalendarDate,
}

impl Now {
    /// The browser's clock.
    pub fn current() -> Now {
        let date = js_sys::Date::new_0();
        Now {
            ms: date.get_time(),
            today: local_of(&date).date,
        }
    }
}

/// The wall-clock reading of an instant (Unix milliseconds) in the agent's time zone.
pub fn local_from_ms(ms: f64) -> LocalDateTime {
    local_of(&js_sys::Date::new(&JsValue::from_f64(ms)))
}

fn local_of(date: &js_sys::Date) -> LocalDateTime {
    LocalDateTime {
        date: CalendarDate {
            year: date.get_full_year() as i32,
            month: date.get_month() + 1,
            day: date.get_date(),
        },
        hour: date.get_hours(),
        minute: date.get_minutes(),
    }
}

/// `Dec 16, 2025`.
pub fn format_date(date: CalendarDate) -> String {
    format!(
        "{} {}, {}",
        MONTHS[(date.month as usize).saturating_sub(1).min(11)],
        date.day,
        date.year
    )
}

/// `Today`, `Yesterday` or `Tomorrow` when it is one of those, else `Dec 16, 2025`.
pub fn relative_date(date: CalendarDate, today: CalendarDate) -> String {
    match date.day_number() - today.day_number() {
        0 => "Today".to_owned(),
        -1 => "Yesterday".to_owned(),
        1 => "Tomorrow".to_owned(),
        _ => format_date(date),
    }
}

/// Like [`relative_date`], with the weekday on a plain date: `Tue, Dec 16, 2025`.
pub fn relative_day(date: CalendarDate, today: CalendarDate) -> String {
    match date.day_number() - today.day_number() {
        -1..=1 => relative_date(date, today),
        _ => format!("{}, {}", date.weekday(), format_date(date)),
    }
}

/// A due date: `Due today`, `Due tomorrow`, `Due yesterday`, `Due Dec 16, 2025`.
pub fn due_label(date: CalendarDate, today: CalendarDate) -> String {
    match date.day_number() - today.day_number() {
        -1..=1 => format!("Due {}", relative_date(date, today).to_ascii_lowercase()),
        _ => format!("Due {}", format_date(date)),
    }
}

/// `2:05 PM`.
pub fn format_time(time: LocalDateTime) -> String {
    let (clock, meridiem) = clock(time);
    format!("{clock} {meridiem}")
}

/// `2:05` and `PM`.
fn clock(time: LocalDateTime) -> (String, &'static str) {
    let meridiem = if time.hour < 12 { "AM" } else { "PM" };
    let hour = match time.hour % 12 {
        0 => 12,
        hour => hour,
    };
    (format!("{hour}:{:02}", time.minute), meridiem)
}

/// When an event happens, for its row: `Tue, Dec 16, 2025 · 2:00 – 3:30 PM`;
/// `Today · 11:00 AM – 12:30 PM`; across days `Dec 16, 2025, 9:00 AM – Dec 18, 2025,
/// 5:00 PM`. `None` without a start.
pub fn event_when(
    start: Option<LocalDateTime>,
    end: Option<LocalDateTime>,
    today: CalendarDate,
) -> Option<String> {
    let start = start?;
    let day = relative_day(start.date, today);
    let text = match end {
        Some(end) if end.date == start.date && end != start => {
            let (from, start_meridiem) = clock(start);
            let (to, end_meridiem) = clock(end);
            if start_meridiem == end_meridiem {
                format!("{day} · {from} – {to} {end_meridiem}")
            } else {
                format!("{day} · {from} {start_meridiem} – {to} {end_meridiem}")
            }
        }
        Some(end) if end.date != start.date => format!(
            "{}, {} – {}, {}",
            relative_date(start.date, today),
            format_time(start),
            relative_date(end.date, today),
            format_time(end)
        ),
        _ => format!("{day} · {}", format_time(start)),
    };
    Some(text)
}

/// A percentage: `60%`, `12.5%` (to a tenth).
pub fn format_percent(value: f64) -> String {
    // Integer arithmetic only: float formatting would add kilobytes to the widget.
    let tenths = (value * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let (whole, tenth) = (tenths.abs() / 10, tenths.abs() % 10);
    if tenth == 0 {
        format!("{sign}{whole}%")
    } else {
        format!("{sign}{whole}.{tenth}%")
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    type NumberFormat;

    #[wasm_bindgen(constructor, js_namespace = Intl, js_class = "NumberFormat", catch)]
    fn new(locale: &str, options: &js_sys::Object) -> Result<NumberFormat, JsValue>;

    #[wasm_bindgen(method, js_class = "NumberFormat")]
    fn format(this: &NumberFormat, value: f64) -> String;
}

/// An amount in its currency, with the browser's `Intl.NumberFormat`: `$12,500` for USD,
/// `€9,800.50` for EUR, `¥1,200,000` for JPY. Whole amounts have no cents. Without a
/// (well-formed ISO 4217) currency the number alone: `12,500`.
pub fn format_money(amount: f64, currency: Option<&str>) -> String {
    let currency = currency
        .map(str::trim)
        .filter(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    if let Some(code) = &currency {
        set("style", JsValue::from_str("currency"));
        set("currency", JsValue::from_str(code));
    }
    if amount.fract() == 0.0 {
        set("minimumFractionDigits", JsValue::from_f64(0.0));
        set("maximumFractionDigits", JsValue::from_f64(0.0));
    } else if currency.is_none() {
        set("maximumFractionDigits", JsValue::from_f64(2.0));
    }
    match NumberFormat::new("en-US", &options) {
        Ok(format) => format.format(amount),
        Err(_) => {
            let cents = (amount * 100.0).round() as i64;
            let code = currency.map(|code| code + " ").unwrap_or_default();
            format!("{code}{}.{:02}", cents / 100, (cents % 100).abs())
        }
    }
}

/// Up to two letters for an avatar: the first letters of the first and last words,
/// upper-cased by the browser (`String.prototype.toUpperCase`), whose Unicode case tables
/// the wasm then need not carry (issue 17).
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|word| word.chars().next());
    let last = words.last().and_then(|word| word.chars().next());
    let letters: String = first.into_iter().chain(last).collect();
    js_sys::JsString::from(letters).to_upper_case().into()
}

/// A phone number as a `tel:` URL wants it: digits and the dialling signs only.
pub fn dialable(phone: &str) -> String {
    phone
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '+' | '*' | '#' | ',' | ';'))
        .collect()
}

/// Only `http(s)` links are rendered: a record URL is never a `javascript:` one.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}
