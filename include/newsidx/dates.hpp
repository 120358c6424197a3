// dates.hpp — calendar arithmetic in UTC (proleptic Gregorian), and parsing the dates and times
// that users type (date:, --since/--until, --added-since). Times are epoch milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace newsidx {

/// A calendar date in UTC.
struct UtcDate {
  int year, month, day;
};
/// The UTC date of a time in epoch ms (before 1970 too).
UtcDate utc_date(int64_t ms);

/// Parses a date or date-time bound as used by date: and --since/--until ("2024", "2020-07",
/// "2020-07-01", "2020-07-01T12:00"); returns [start, end) of that period in epoch ms UTC.
std::optional<std::pair<int64_t, int64_t>> parse_date_period(std::string_view s);

/// Parses the WHEN of --added-since into epoch ms UTC: a duration back from `now_ms` ("30m",
/// "2h", "3d", "1w": 1 to 6 digits, then minutes, hours, days of 24 hours or weeks); a date
/// ("2026-12-01", its midnight); or a date and time ("2026-12-01T08:00", "2026-12-01 08:00",
/// seconds optional, with a fraction too: "08:00:30", "08:00:30.250"). A date, or a date and
/// time without a zone, is local time (the TZ environment variable, as cron and date(1) read
/// it); "Z" or an offset ("+08:00", "-0500") after the time gives the zone. nullopt when `when`
/// is none of these or names no real time (2026-02-30, 24:00, an offset past ±23:59).
std::optional<int64_t> parse_when(std::string_view when, int64_t now_ms);

}  // namespace newsidx
