package config

import (
	"maps"
	"strings"
	"testing"

	"github.com/acme/eks-platform/catalogue"
)

// issue 21: on the pinned day the committed stacks are warned of the pins that should move, and
// only of those: the velero chart and vpc-cni are a minor release behind. External Secrets is held
// back on purpose, and a patch behind (coredns, the Velero plugin, Fluent Bit 3.4.15) is for the
// outdated report only.
func TestPinLifecycleWarnings(t *testing.T) {
	c, err := parse("dev", stackValues(t, "dev"))
	if err != nil {
		t.Fatal(err)
	}
	warned := map[string]string{}
	for _, w := range c.Warnings {
		key, _, _ := strings.Cut(w, " = ")
		warned[strings.TrimPrefix(key, Project+":")] = w
	}
	for key, want := range map[string]string{
		"veleroChartVersion": "a minor release behind the newest known velero 12.2.0",
		"vpcCniVersion":      "a minor release behind",
	} {
		if !strings.Contains(warned[key], want) {
			t.Errorf("%s: warning %q, want one saying %q", key, warned[key], want)
		}
	}
	for _, key := range []string{"externalSecretsChartVersion", "corednsVersion", "veleroAwsPluginImage", "fluentBitImage"} {
		if w, ok := warned[key]; ok {
			t.Errorf("%s warned: %s", key, w)
		}
	}
}

// issue 21: a pin past the end of life of its line is refused, naming the key, once the date is
// confirmed; 60 days before it, and for a pin on another line, there is a warning or nothing.
func TestPinPastEndOfLifeIsRefused(t *testing.T) {
	c, err := parse("dev", stackValues(t, "dev"))
	if err != nil {
		t.Fatal(err)
	}
	// A stack that keeps the 2.x image, whose end of life the catalogue states as read on the
	// project's own page (confirmed).
	c.Observability.FluentBitImage = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5"
	cat := catalogue.Default()
	end := *cat.Lifecycle[catalogue.ImageFluentBit].EndOfLife
	if end.Confirmed != nil && !*end.Confirmed {
		t.Fatalf("the catalogue marks the 2.x end of life unconfirmed: %+v", end)
	}

	v := &validator{}
	validatePinLifecycle(v, pinsOf(cat, c, catalogue.Day(testDay)))
	if len(v.errs) != 1 || !strings.Contains(v.errs[0].Error(), "eks-platform:fluentBitImage") ||
		!strings.Contains(v.errs[0].Error(), "2.x line reached its end of life on 2026-06-30") {
		t.Fatalf("errors %v, want fluentBitImage refused", v.errs)
	}

	before := catalogue.Day(end.Value.AddDate(0, 0, -lifecycleNoticeDays))
	warnings := pinLifecycleWarnings(pinsOf(cat, c, before))
	if !strings.Contains(strings.Join(warnings, "\n"), "fluentBitImage = \"public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5\": the aws-for-fluent-bit 2.x line reaches its end of life on 2026-06-30, in 60 days") {
		t.Errorf("60 days before: warnings %v", warnings)
	}

	// The same end of life seen only second-hand (confirmed: false) warns instead.
	secondHand := *cat
	secondHand.Lifecycle = maps.Clone(cat.Lifecycle)
	fluentBit := secondHand.Lifecycle[catalogue.ImageFluentBit]
	unconfirmed, no := end, false
	unconfirmed.Confirmed = &no
	fluentBit.EndOfLife = &unconfirmed
	secondHand.Lifecycle[catalogue.ImageFluentBit] = fluentBit
	v = &validator{}
	pins := pinsOf(&secondHand, c, catalogue.Day(testDay))
	validatePinLifecycle(v, pins)
	if len(v.errs) != 0 || !strings.Contains(strings.Join(pinLifecycleWarnings(pins), "\n"), "according to a secondary source only") {
		t.Errorf("an unconfirmed end of life: errors %v, warnings %v; want a warning only", v.errs, pinLifecycleWarnings(pins))
	}

	c.Observability.FluentBitImage = "public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.15"
	v = &validator{}
	validatePinLifecycle(v, pinsOf(cat, c, catalogue.Day(testDay)))
	if len(v.errs) != 0 {
		t.Errorf("a 3.x pin refused: %v", v.errs)
	}
}
