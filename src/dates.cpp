// dates.cpp — calendar arithmetic in UTC, and parsing the dates and times users type.
#include "newsidx/dates.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace newsidx {
namespace {

/// Days since 1970-01-01 of a date (month 1-12, day 1-31; not checked).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil (public domain), proleptic Gregorian calendar.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

UtcDate utc_date(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

std::optional<std::pair<int64_t, int64_t>> parse_date_period(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = -1, mi = 0;
  char tail = 0;
  const std::string str(s);
  int n = std::sscanf(str.c_str(), "%4d-%2d-%2d%*[T ]%2d:%2d%c", &y, &mo, &d, &h, &mi, &tail);
  auto ms = [](int64_t days, int64_t secs) { return (days * 86400 + secs) * 1000; };
  const bool digits_only = !str.empty() && std::all_of(str.begin(), str.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == ':' || c == 'T' || c == ' ';
  });
  if (!digits_only || y < 1 || y > 9999) return std::nullopt;
  if (n == 1 && str.size() == 4) return std::pair{ms(days_from_civil(y, 1, 1), 0), ms(days_from_civil(y + 1, 1, 1), 0)};
  if (mo < 1 || mo > 12) return std::nullopt;
  if (n == 2 && str.size() == 7) {
    const int64_t start = days_from_civil(y, static_cast<unsigned>(mo), 1);
    const int64_t end = mo == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, static_cast<unsigned>(mo + 1), 1);
    return std::pair{ms(start, 0), ms(end, 0)};
  }
  if (d < 1 || d > 31) return std::nullopt;
  const int64_t day = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  if (n == 3 && str.size() == 10) return std::pair{ms(day, 0), ms(day + 1, 0)};
  if (n == 5 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && str.size() == 16) {
    const int64_t t = ms(day, h * 3600 + mi * 60);
    return std::pair{t, t + 60000};
  }
  return std::nullopt;
}

namespace {

/// Reads the `width` digits at `at` of `s` into `out`, moving `at` past them.
bool read_digits(std::string_view s, size_t& at, size_t width, int& out) {
  if (at + width > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  at += width;
  return true;
}

/// Moves `at` past `c` if it is there.
bool skip(std::string_view s, size_t& at, char c) {
  if (at >= s.size() || s[at] != c) return false;
  ++at;
  return true;
}

/// "30m", "2h", "3d", "1w" back from now_ms.
std::optional<int64_t> parse_duration(std::string_view s, int64_t now_ms) {
  if (s.size() < 2 || s.size() > 7) return std::nullopt;
  size_t at = 0;
  int n = 0;
  if (!read_digits(s, at, s.size() - 1, n)) return std::nullopt;
  constexpr std::string_view k_units = "mhdw";
  constexpr int64_t k_unit_ms[] = {60'000, 3'600'000, 86'400'000, 604'800'000};
  const size_t unit = k_units.find(s.back());
  if (unit == std::string_view::npos) return std::nullopt;
  return now_ms - n * k_unit_ms[unit];
}

/// The zone at `at` of `s`: "Z", "+08:00", "-0500" → offset east of UTC in minutes; nullopt
/// for none (local time) or an invalid one (`ok` false).
std::optional<int> parse_zone(std::string_view s, size_t& at, bool& ok) {
  if (skip(s, at, 'Z')) return 0;
  const bool east = at < s.size() && s[at] == '+';
  if (!skip(s, at, '+') && !skip(s, at, '-')) return std::nullopt;
  int h = 0, m = 0;
  ok = read_digits(s, at, 2, h);
  skip(s, at, ':');
  ok = ok && read_digits(s, at, 2, m) && h < 24 && m < 60;
  return (east ? 1 : -1) * (h * 60 + m);
}

/// The milliseconds of the fraction of a second at `at` (".5", ".250", up to 9 digits), 0 if
/// there is none, -1 if it is bad.
int parse_fraction(std::string_view s, size_t& at) {
  if (!skip(s, at, '.')) return 0;
  int ms = 0;
  size_t n = 0;
  for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++n) {
    if (n < 3) ms = ms * 10 + (s[at] - '0');
  }
  if (n == 0 || n > 9) return -1;
  for (; n < 3; ++n) ms *= 10;
  return ms;
}

}  // namespace

std::optional<int64_t> parse_when(std::string_view s, int64_t now_ms) {
  if (std::optional<int64_t> back = parse_duration(s, now_ms)) return back;
  size_t at = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!read_digits(s, at, 4, y) || !skip(s, at, '-') || !read_digits(s, at, 2, mo) || !skip(s, at, '-') ||
      !read_digits(s, at, 2, d)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (y < 1 || !date.ok()) return std::nullopt;
  bool ok = true;
  std::optional<int> zone;
  if (at < s.size()) {
    if (!skip(s, at, 'T') && !skip(s, at, ' ')) return std::nullopt;
    if (!read_digits(s, at, 2, h) || !skip(s, at, ':') || !read_digits(s, at, 2, mi)) return std::nullopt;
    if (skip(s, at, ':') && (!read_digits(s, at, 2, sec) || (ms = parse_fraction(s, at)) < 0)) return std::nullopt;
    zone = parse_zone(s, at, ok);
  }
  if (!ok || at != s.size() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  if (zone) {
    const int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return ((days * 86400 + h * 3600 + mi * 60 + sec) - *zone * 60) * 1000 + ms;
  }
  std::tm tm{};
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  tm.tm_isdst = -1;  // as the zone's rules say on that date
  return static_cast<int64_t>(std::mktime(&tm)) * 1000 + ms;
}

}  // namespace newsidx
