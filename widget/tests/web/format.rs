//! Browser tests of dates, times, amounts and percentages as the agent reads them.

use wasm_bindgen_test::wasm_bindgen_test;
use widget::components::format::{
    CalendarDate, Instant, LocalDateTime, due_label, event_when, format_date, format_money,
    format_percent, format_time, initials, relative_date, relative_day,
};

fn date(year: i32, month: u32, day: u32) -> CalendarDate {
    CalendarDate { year, month, day }
}

fn at(date: CalendarDate, hour: u32, minute: u32) -> LocalDateTime {
    LocalDateTime { date, hour, minute }
}

#[wasm_bindgen_test]
fn money_is_formatted_in_its_currency() {
    assert_eq!(format_money(12_500.0, Some("USD")), "$12,500");
    assert_eq!(format_money(12_500.5, Some("USD")), "$12,500.50");
    assert_eq!(format_money(1_250_000.0, Some("usd")), "$1,250,000");
    assert_eq!(format_money(9_800.5, Some("EUR")), "€9,800.50");
    assert_eq!(format_money(4_000.0, Some("GBP")), "£4,000");
    assert_eq!(format_money(1_200_000.0, Some("JPY")), "¥1,200,000");
    assert_eq!(format_money(0.0, Some("USD")), "$0");
    assert_eq!(format_money(-250.0, Some("USD")), "-$250");
}

#[wasm_bindgen_test]
fn money_without_a_usable_currency_is_a_plain_number() {
    assert_eq!(format_money(12_500.0, None), "12,500");
    assert_eq!(format_money(12_500.257, None), "12,500.26");
    assert_eq!(format_money(12_500.0, Some("US$")), "12,500");
    assert_eq!(format_money(12_500.0, Some("")), "12,500");
}

#[wasm_bindgen_test]
fn percentages_round_to_a_tenth() {
    assert_eq!(format_percent(60.0), "60%");
    assert_eq!(format_percent(12.5), "12.5%");
    assert_eq!(format_percent(33.333), "33.3%");
    assert_eq!(format_percent(99.96), "100%");
    assert_eq!(format_percent(0.0), "0%");
}

#[wasm_bindgen_test]
fn salesforce_dates_parse_and_read_like_people_write_them() {
    assert_eq!(CalendarDate::parse("2025-12-16"), Some(date(2025, 12, 16)));
    assert_eq!(format_date(date(2025, 12, 16)), "Dec 16, 2025");
    assert_eq!(format_date(date(2026, 1, 9)), "Jan 9, 2026");
    assert_eq!(CalendarDate::parse("2024-02-29"), Some(date(2024, 2, 29)));
    for bad in [
        "",
        "2025-13-01",
        "2025-00-10",
        "2025-02-29",
        "2025-04-31",
        "2025-1-01",
        "16/12/2025",
        "2025-12-16T10:00:00Z",
        "+025-12-16",
    ] {
        assert_eq!(CalendarDate::parse(bad), None, "{bad:?}");
    }
}

#[wasm_bindgen_test]
fn weekdays_and_day_differences() {
    assert_eq!(date(1970, 1, 1).day_number(), 0);
    assert_eq!(date(2025, 12, 16).weekday(), "Tue");
    assert_eq!(date(2000, 2, 29).weekday(), "Tue");
    assert_eq!(date(1969, 12, 31).weekday(), "Wed");
    assert_eq!(
        date(2026, 1, 1).day_number() - date(2025, 12, 31).day_number(),
        1
    );
}

#[wasm_bindgen_test]
fn near_days_are_named() {
    let today = date(2025, 12, 31);
    assert_eq!(relative_date(date(2025, 12, 31), today), "Today");
    assert_eq!(relative_date(date(2026, 1, 1), today), "Tomorrow");
    assert_eq!(relative_date(date(2025, 12, 30), today), "Yesterday");
    assert_eq!(relative_date(date(2026, 1, 2), today), "Jan 2, 2026");
    assert_eq!(relative_day(date(2026, 1, 2), today), "Fri, Jan 2, 2026");
    assert_eq!(relative_day(date(2026, 1, 1), today), "Tomorrow");
    assert_eq!(due_label(date(2025, 12, 31), today), "Due today");
    assert_eq!(due_label(date(2025, 12, 30), today), "Due yesterday");
    assert_eq!(due_label(date(2025, 12, 1), today), "Due Dec 1, 2025");
}

#[wasm_bindgen_test]
fn times_use_a_twelve_hour_clock() {
    let day = date(2025, 12, 16);
    assert_eq!(format_time(at(day, 0, 5)), "12:05 AM");
    assert_eq!(format_time(at(day, 9, 0)), "9:00 AM");
    assert_eq!(format_time(at(day, 12, 30)), "12:30 PM");
    assert_eq!(format_time(at(day, 23, 59)), "11:59 PM");
}

#[wasm_bindgen_test]
fn event_times_read_as_a_range() {
    let today = date(2025, 12, 10);
    let day = date(2025, 12, 16);
    assert_eq!(
        event_when(Some(at(day, 14, 0)), Some(at(day, 15, 30)), today).as_deref(),
        Some("Tue, Dec 16, 2025 · 2:00 – 3:30 PM")
    );
    assert_eq!(
        event_when(Some(at(day, 11, 0)), Some(at(day, 12, 30)), today).as_deref(),
        Some("Tue, Dec 16, 2025 · 11:00 AM – 12:30 PM")
    );
    assert_eq!(
        event_when(Some(at(today, 9, 0)), None, today).as_deref(),
        Some("Today · 9:00 AM")
    );
    assert_eq!(
        event_when(
            Some(at(day, 9, 0)),
            Some(at(date(2025, 12, 18), 17, 0)),
            today
        )
        .as_deref(),
        Some("Dec 16, 2025, 9:00 AM – Dec 18, 2025, 5:00 PM")
    );
    assert_eq!(event_when(None, Some(at(day, 9, 0)), today), None);
}

#[wasm_bindgen_test]
fn instants_are_rfc3339_or_nothing() {
    let instant = Instant::parse("2025-12-16T14:00:00Z").expect("an instant");
    assert_eq!(instant.ms, 1_765_893_600_000.0);
    let offset = js_sys::Date::new(&"2025-12-16T14:00:00Z".into()).get_timezone_offset();
    let minutes = 14 * 60 - offset as i64;
    assert_eq!(
        (instant.local.hour as i64, instant.local.minute as i64),
        (
            minutes.div_euclid(60).rem_euclid(24),
            minutes.rem_euclid(60)
        ),
        "shown in the browser's time zone"
    );
    assert_eq!(Instant::parse(""), None);
    assert_eq!(Instant::parse("not a date"), None);
}

#[wasm_bindgen_test]
fn initials_are_the_first_and_last_words_first_letters_in_capitals() {
    assert_eq!(initials("Ada Lovelace"), "AL");
    assert_eq!(initials("  maya   van der patel "), "MP");
    assert_eq!(initials("émile ßtraße"), "ÉSS");
    assert_eq!(initials("Northwind"), "N");
    assert_eq!(initials(""), "");
}
