//! Money: integer minor units (cents) with an ISO 4217 currency, bounded so that sums of many
//! amounts cannot overflow. Neither type can hold an invalid value: both are checked when built
//! and when read from JSON (an event or a request).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A currency code: three ASCII capitals ("EUR", "USD").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[A-Z]{3}$", example = "EUR"))]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(code: &str) -> Option<Self> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Some(Self([a, b, c])),
            _ => None,
        }
    }

    pub fn code(&self) -> &str {
        // Built only from ASCII capitals, so this is always the code.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl TryFrom<String> for Currency {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        Self::parse(&code).ok_or_else(|| {
            format!("a currency is a three-letter ISO 4217 code in capitals (got {code:?})")
        })
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.code().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The largest amount, either sign, in minor units: ten trillion units of a two-decimal currency.
/// A million of them still sum within `i64`.
pub const MINOR_MAX: i64 = 1_000_000_000_000_000;

/// An amount of one currency in minor units (cents), within ±[`MINOR_MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawMoney")]
pub struct Money {
    /// Minor units (cents): 1234567 is 12,345.67.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = -1_000_000_000_000_000_i64, maximum = 1_000_000_000_000_000_i64)
    )]
    minor: i64,
    currency: Currency,
}

#[derive(Deserialize)]
struct RawMoney {
    minor: i64,
    currency: Currency,
}

impl TryFrom<RawMoney> for Money {
    type Error = String;

    fn try_from(raw: RawMoney) -> Result<Self, String> {
        Money::new(raw.minor, raw.currency).ok_or_else(|| {
            format!(
                "an amount is at most {MINOR_MAX} minor units either way (got {})",
                raw.minor
            )
        })
    }
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Option<Self> {
        (-MINOR_MAX..=MINOR_MAX)
            .contains(&minor)
            .then_some(Self { minor, currency })
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount scaled by `percent` (0–100), rounded half away from zero: an expected value.
    pub fn percent(&self, percent: u8) -> Money {
        let scaled = i128::from(self.minor) * i128::from(percent.min(100));
        let rounded = (scaled + scaled.signum() * 50) / 100;
        Money {
            // |scaled / 100| ≤ |minor|, so it fits.
            minor: i64::try_from(rounded).unwrap_or(self.minor),
            currency: self.currency,
        }
    }
}

impl fmt::Display for Money {
    /// "EUR 12,345.67".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let m = self.minor.unsigned_abs();
        write!(
            f,
            "{} {sign}{}.{:02}",
            self.currency,
            group_thousands(m / 100),
            m % 100
        )
    }
}

/// 12345678 → "12,345,678".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// Amounts summed per currency (amounts in different currencies are never added together),
/// saturating at ±[`MINOR_MAX`] × 1000 — far beyond any real total, and never an overflow.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals(pub Vec<Total>);

/// One currency's sum in minor units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Total {
    pub currency: Currency,
    pub minor: i64,
}

impl Totals {
    pub fn add(&mut self, amount: Money) {
        let limit = MINOR_MAX.saturating_mul(1000);
        match self.0.iter_mut().find(|t| t.currency == amount.currency) {
            Some(total) => {
                total.minor = total
                    .minor
                    .saturating_add(amount.minor)
                    .clamp(-limit, limit);
            }
            None => {
                self.0.push(Total {
                    currency: amount.currency,
                    minor: amount.minor,
                });
                self.0.sort_by_key(|t| t.currency);
            }
        }
    }

    /// The total in `currency` (0 when none).
    pub fn of(&self, currency: Currency) -> i64 {
        self.0
            .iter()
            .find(|t| t.currency == currency)
            .map_or(0, |t| t.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn only_three_capitals_make_a_currency_and_only_bounded_amounts_make_money() {
        for bad in ["", "eur", "EU", "EURO", "E1R", "ÉUR"] {
            assert!(Currency::parse(bad).is_none(), "{bad}");
            assert!(serde_json::from_str::<Currency>(&format!("{bad:?}")).is_err());
        }
        assert!(Money::new(MINOR_MAX, eur()).is_some());
        assert!(Money::new(-MINOR_MAX - 1, eur()).is_none());
        let err =
            serde_json::from_str::<Money>(r#"{"minor":9223372036854775807,"currency":"EUR"}"#)
                .unwrap_err()
                .to_string();
        assert!(err.contains("at most"), "{err}");
        let m: Money = serde_json::from_str(r#"{"minor":1234567,"currency":"EUR"}"#).unwrap();
        assert_eq!(m.to_string(), "EUR 12,345.67");
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"minor":1234567,"currency":"EUR"}"#
        );
        assert_eq!(Money::new(-5, eur()).unwrap().to_string(), "EUR -0.05");
    }

    #[test]
    fn expected_values_round_and_totals_keep_currencies_apart() {
        let m = Money::new(100_005, eur()).unwrap();
        assert_eq!(m.percent(30).minor(), 30_002);
        assert_eq!(Money::new(-15, eur()).unwrap().percent(10).minor(), -2);
        let mut totals = Totals::default();
        totals.add(m);
        totals.add(Money::new(5, Currency::parse("USD").unwrap()).unwrap());
        totals.add(Money::new(MINOR_MAX, eur()).unwrap());
        assert_eq!(totals.of(eur()), MINOR_MAX + 100_005);
        assert_eq!(totals.0.len(), 2);
        for _ in 0..2000 {
            totals.add(Money::new(MINOR_MAX, eur()).unwrap());
        }
        assert_eq!(
            totals.of(eur()),
            MINOR_MAX * 1000,
            "saturates, never overflows"
        );
    }
}
