package config

import (
	"strings"
	"testing"
	"time"
)

// The longest gap between two backups decides how long a backup must be kept (P3, issue 15).
func TestBackupScheduleLongestGap(t *testing.T) {
	const day = 24 * time.Hour
	for expr, want := range map[string]time.Duration{
		"0 3 * * *":        day,
		"0 3,15 * * *":     12 * time.Hour,
		"0 0-6 * * *":      18 * time.Hour,      // 06:00 -> 00:00 the next day
		"0 3 * * 0":        7 * day,             // weekly, Sundays
		"0 3 * * 1-5":      3 * day,             // Friday -> Monday
		"30 2 1 * *":       31 * day,            // monthly: the longest month
		"0 3 29 2 *":       (366 + 3*365) * day, // 29 February: every four years
		"0 3 1,15 * 1":     7 * day,             // both day fields set: either matches; Monday 16th -> 23rd
		"*/15 * * * *":     15 * time.Minute,
		"0 */6 * * *":      6 * time.Hour,
		"0 3 */2 * *":      2 * day,   // days 1, 3, ..., 31, then 1: 31 -> 1 is one day, 29 -> 1 two
		"0 3 * 1-12/6 *":   154 * day, // January and July: 31 July -> 1 January
		"0 3 */10 * 2-3/5": 7 * day,   // "*/10" and "2-3/5" are not "*": days 1, 11, 21, 31 or Tuesdays
	} {
		s, err := parseBackupSchedule(expr)
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		if got, ok := s.longestGap(); !ok || got != want {
			t.Errorf("%q: longest gap %v (%v), want %v", expr, got, ok, want)
		}
	}
}

func TestBackupScheduleRefusesWhatVeleroRefuses(t *testing.T) {
	for expr, want := range map[string]string{
		"daily":        "5",
		"0 3 * *":      "5",
		"0 24 * * *":   "hour",
		"60 3 * * *":   "minute",
		"0 3 0 * *":    "day of month",
		"0 3 * 13 *":   "month",
		"0 3 * * 7":    "day of week",
		"0 3 * * 5-1":  "backwards",
		"0 3/0 * * *":  "step",
		"0 3 * * MON":  "number",
		"0 3 1-x * *":  "number",
		"0 3 * * * *":  "6 fields",
		"0 3,,4 * * *": "number",
		"*/a * * * *":  "step",
	} {
		_, err := parseBackupSchedule(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one mentioning %q", expr, err, want)
		}
	}
}

func TestBackupScheduleThatNeverRepeats(t *testing.T) {
	for _, expr := range []string{"0 3 30 2 *", "0 3 31 4,6,9,11 *"} {
		s, err := parseBackupSchedule(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if gap, ok := s.longestGap(); ok {
			t.Errorf("%q runs (longest gap %v); it names no real date", expr, gap)
		}
	}
}
