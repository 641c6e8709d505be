//! Epoch seconds as UTC calendar text, for axis labels (no time zone database needed).

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// An axis label for an instant: `MM-DD HH:MM` on ranges of three days or less, else `MM-DD`.
pub fn axis_label(epoch: f64, range_seconds: f64) -> String {
    if !epoch.is_finite() {
        return String::new();
    }
    let secs = epoch.round() as i64;
    let (_, month, day) = civil(secs.div_euclid(86_400));
    let in_day = secs.rem_euclid(86_400);
    if range_seconds <= 3.0 * 86_400.0 {
        format!(
            "{month:02}-{day:02} {:02}:{:02}",
            in_day / 3600,
            in_day % 3600 / 60
        )
    } else {
        format!("{month:02}-{day:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_454), (2026, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(axis_label(1_767_268_800.0, 86_400.0), "01-01 12:00");
        assert_eq!(axis_label(1_767_268_800.0, 7.0 * 86_400.0), "01-01");
    }
}
