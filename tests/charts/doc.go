// Package charts judges the in-cluster half of the platform by its real sources (issue 13): every
// Helm release of every committed stack is rendered with Helm's own Go library from the pinned
// chart, and every rendered object and every Kubernetes object the program creates itself is
// decoded strictly into its k8s.io/api type and, for pods, admitted by the upstream Pod Security
// evaluator at its namespace's enforce level. The inputs are the golden offline plans
// (tests/stack/testdata/plan-<stack>.json), which TestGoldenPlans proves equal to the program's
// output, so this module never imports the program's Pulumi packages.
//
// The chart sources are not committed: fixtures.json records each pinned chart's source and
// digest, and the tests read the chart directories from EKS_PLATFORM_CHART_FIXTURES (default:
// <repo>/../shared/charts). fixtures.sh exports them from fetched chart repositories.
package charts
