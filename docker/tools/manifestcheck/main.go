// Command manifestcheck validates Bookshelf's deployment files offline, with the libraries the real tools use:
//
//	manifestcheck k8s [-shutdown-seconds 15] DIR...   render each kustomization (sigs.k8s.io/kustomize/api krusty,
//	                                                  as `kubectl kustomize`) and decode every object strictly into
//	                                                  the Kubernetes API types (unknown fields, wrong types and
//	                                                  unknown kinds fail), then check the probes, shutdown, limits
//	                                                  and security settings of Bookshelf's workloads
//	manifestcheck render DIR                          print the rendered objects (as `kubectl kustomize DIR`)
//	manifestcheck compose FILE PROFILE...             load a compose file for each profile with compose-go (as
//	                                                  `docker compose config`), validated against the compose spec
//	manifestcheck dockerfile FILE                     parse a Dockerfile with BuildKit's parser and instruction
//	                                                  parser, with its linter's warnings as errors
//	manifestcheck version                             the versions of the libraries it was built with
//
// Every problem is one line on stdout starting "FAIL"; each target that passes prints one line starting "ok".
// The exit code is 0 when everything passed, 1 when something failed and 2 on a usage error.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
)

// report collects the problems of one target.
type report struct {
	target   string
	problems []string
}

func (r *report) failf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// print writes the target's lines and says whether it passed.
func (r *report) print(summary string) bool {
	if len(r.problems) == 0 {
		fmt.Printf("ok   %s: %s\n", r.target, summary)
		return true
	}
	for _, p := range r.problems {
		fmt.Printf("FAIL %s: %s\n", r.target, strings.ReplaceAll(p, "\n", " "))
	}
	return false
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: manifestcheck k8s [-shutdown-seconds N] DIR... | render DIR | compose FILE PROFILE... | dockerfile FILE | version")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	args := os.Args[2:]
	ok := true
	switch os.Args[1] {
	case "k8s":
		ok = checkKustomizations(args)
	case "render":
		if len(args) != 1 {
			usage()
		}
		ok = renderKustomization(args[0])
	case "compose":
		if len(args) < 2 {
			usage()
		}
		ok = checkCompose(args[0], args[1:])
	case "dockerfile":
		if len(args) != 1 {
			usage()
		}
		ok = checkDockerfile(args[0])
	case "version":
		printVersion()
	default:
		usage()
	}
	if !ok {
		os.Exit(1)
	}
}

func printVersion() {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Println("manifestcheck (no build info)")
		return
	}
	wanted := map[string]bool{
		"sigs.k8s.io/kustomize/api":             true,
		"k8s.io/api":                            true,
		"k8s.io/apimachinery":                   true,
		"github.com/compose-spec/compose-go/v2": true,
		"github.com/moby/buildkit":              true,
	}
	var deps []string
	for _, d := range info.Deps {
		if wanted[d.Path] {
			deps = append(deps, d.Path+" "+d.Version)
		}
	}
	fmt.Printf("manifestcheck (%s; %s)\n", info.GoVersion, strings.Join(deps, ", "))
}
