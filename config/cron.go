package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// backupSchedule is a five-field cron expression as Velero reads it: Velero parses a Schedule with
// github.com/robfig/cron/v3's ParseStandard and, when that fails, marks the Schedule
// FailedValidation and takes no backups, with nothing in `pulumi up` to say so (P3). The rules
// below are that parser's, for the numeric forms (names such as MON are not accepted here).
type backupSchedule struct {
	fields [5]uint64 // bit n set: value n matches
	// domStar and dowStar record a field written as "*": cron then requires both the day of month
	// and the day of week to match, otherwise either one.
	domStar, dowStar bool
}

const (
	fieldMinute = iota
	fieldHour
	fieldDayOfMonth
	fieldMonth
	fieldDayOfWeek
)

var cronFields = [5]struct {
	name     string
	min, max int
}{
	{"minute", 0, 59}, {"hour", 0, 23}, {"day of month", 1, 31}, {"month", 1, 12}, {"day of week", 0, 6},
}

// parseBackupSchedule parses "minute hour day-of-month month day-of-week", each field a
// comma-separated list of *, N, N-M, optionally followed by /step.
func parseBackupSchedule(expr string) (backupSchedule, error) {
	var s backupSchedule
	parts := strings.Fields(expr)
	if len(parts) != len(cronFields) {
		return s, fmt.Errorf("has %d fields, cron has 5 (minute hour day-of-month month day-of-week)", len(parts))
	}
	for i, part := range parts {
		for _, item := range strings.Split(part, ",") {
			bits, star, err := parseCronItem(item, cronFields[i].min, cronFields[i].max)
			if err != nil {
				return s, fmt.Errorf("%s field %q: %w", cronFields[i].name, item, err)
			}
			s.fields[i] |= bits
			s.domStar = s.domStar || (star && i == fieldDayOfMonth)
			s.dowStar = s.dowStar || (star && i == fieldDayOfWeek)
		}
	}
	return s, nil
}

// parseCronItem returns the values one list item matches, and whether it is a bare "*" (a step
// larger than one makes it a plain range, as in robfig/cron).
func parseCronItem(item string, min, max int) (uint64, bool, error) {
	rangePart, stepPart, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepPart)
		if err != nil || n < 1 {
			return 0, false, fmt.Errorf("step %q must be a positive whole number", stepPart)
		}
		step = n
	}
	start, end, star := min, max, rangePart == "*"
	if !star {
		low, high, isRange := strings.Cut(rangePart, "-")
		var err error
		if start, err = strconv.Atoi(low); err != nil {
			return 0, false, fmt.Errorf("%q is not a number", low)
		}
		switch {
		case isRange:
			if end, err = strconv.Atoi(high); err != nil {
				return 0, false, fmt.Errorf("%q is not a number", high)
			}
		case !hasStep:
			end = start
		}
		// "N/step" means N to the maximum, every step.
	}
	switch {
	case start < min || end > max:
		return 0, false, fmt.Errorf("must lie within %d-%d", min, max)
	case start > end:
		return 0, false, fmt.Errorf("range %d-%d runs backwards", start, end)
	}
	var bits uint64
	for n := start; n <= end; n += step {
		bits |= 1 << n
	}
	return bits, star && step == 1, nil
}

func (s backupSchedule) has(field, value int) bool { return s.fields[field]&(1<<value) != 0 }

// runsOn reports whether the schedule runs on the given day, with cron's rule for the two day
// fields.
func (s backupSchedule) runsOn(day time.Time) bool {
	if !s.has(fieldMonth, int(day.Month())) {
		return false
	}
	dom, dow := s.has(fieldDayOfMonth, day.Day()), s.has(fieldDayOfWeek, int(day.Weekday()))
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// scheduleWindowStart and scheduleWindowYears bound the search for the longest gap: eight years
// hold every pattern of days of month, months and weekdays a cron expression can pick twice (a
// 29 February schedule runs every four years). The window is fixed, not today, so the answer
// never depends on the date it runs.
var scheduleWindowStart = time.Date(2028, time.January, 1, 0, 0, 0, 0, time.UTC)

const scheduleWindowYears = 8

// longestGap returns the longest time between two consecutive runs of the schedule, or false
// when it does not run on two days of the window (30 February, 31 April).
func (s backupSchedule) longestGap() (time.Duration, bool) {
	var times []time.Duration // the runs within one day
	for h := 0; h < 24; h++ {
		for m := 0; m < 60; m++ {
			if s.has(fieldHour, h) && s.has(fieldMinute, m) {
				times = append(times, time.Duration(h)*time.Hour+time.Duration(m)*time.Minute)
			}
		}
	}
	var longest time.Duration
	for i := 1; i < len(times); i++ {
		longest = max(longest, times[i]-times[i-1])
	}
	days := 0
	var last time.Time // the last run so far
	end := scheduleWindowStart.AddDate(scheduleWindowYears, 0, 0)
	for day := scheduleWindowStart; day.Before(end); day = day.AddDate(0, 0, 1) {
		if !s.runsOn(day) {
			continue
		}
		if days++; days > 1 {
			longest = max(longest, day.Add(times[0]).Sub(last))
		}
		last = day.Add(times[len(times)-1])
	}
	return longest, days > 1
}
