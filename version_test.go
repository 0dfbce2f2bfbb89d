package zmq_test

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// A release heading of keep-a-changelog: "## [1.2.3] - 2006-01-02". [Unreleased] does not match.
var releaseHeading = regexp.MustCompile(`^## \[(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\] - \d{4}-\d{2}-\d{2}$`)

var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$`)

// changelogReleases returns the versions of a changelog's release headings, in file order.
func changelogReleases(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var versions []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := releaseHeading.FindStringSubmatch(sc.Text()); m != nil {
			versions = append(versions, m[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return versions
}

func TestModuleVersionIsNewestChangelogRelease(t *testing.T) {
	if !semver.MatchString(zmq.ModuleVersion) {
		t.Fatalf("ModuleVersion %q is not a semantic version", zmq.ModuleVersion)
	}
	releases := changelogReleases(t, "CHANGELOG.md")
	if len(releases) == 0 {
		t.Fatal(`CHANGELOG.md has no release heading ("## [x.y.z] - YYYY-MM-DD")`)
	}
	if releases[0] != zmq.ModuleVersion {
		t.Errorf("CHANGELOG.md's newest release is %s, ModuleVersion is %s: release both together",
			releases[0], zmq.ModuleVersion)
	}
	// Newest first, as keep-a-changelog lists them: otherwise the first heading is not the newest.
	for i := 1; i < len(releases); i++ {
		if !older(releases[i], releases[i-1]) {
			t.Errorf("CHANGELOG.md lists %s after %s: releases go newest first", releases[i], releases[i-1])
		}
	}
}

// older reports whether version a precedes b, by major, minor and patch (pre-release tags are
// not compared).
func older(a, b string) bool {
	pa, pb := semver.FindStringSubmatch(a), semver.FindStringSubmatch(b)
	for i := 1; i <= 3; i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return false
}
