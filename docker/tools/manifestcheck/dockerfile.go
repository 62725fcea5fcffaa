package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// checkDockerfile parses the file as `docker build` does (BuildKit's parser, then its instruction parser,
// which refuses unknown instructions and flags), fails on any lint warning, and checks the runtime stage:
// a non-root USER, an ENTRYPOINT and a HEALTHCHECK.
func checkDockerfile(path string) bool {
	r := &report{target: "dockerfile " + path}
	stages := 0
	func() {
		f, err := os.Open(path)
		if err != nil {
			r.failf("%v", err)
			return
		}
		defer f.Close()
		res, err := parser.Parse(f)
		if err != nil {
			r.failf("parse: %v", err)
			return
		}
		for _, w := range res.Warnings {
			r.failf("parser warning: %s", w.Short)
		}
		lint := linter.New(&linter.Config{
			Warn: func(rule, _, _, msg string, location []parser.Range) {
				line := 0
				if len(location) > 0 {
					line = location[0].Start.Line
				}
				r.failf("line %d: lint %s: %s", line, rule, msg)
			},
		})
		parsed, _, err := instructions.Parse(res.AST, lint)
		if err != nil {
			r.failf("%v", err)
			return
		}
		stages = len(parsed)
		if stages < 2 {
			r.failf("expected a multi-stage build (a build stage and a runtime stage), found %d stage(s)", stages)
		}
		if stages == 0 {
			return
		}
		last := parsed[len(parsed)-1]
		user, entrypoint, healthcheck := "", false, false
		for _, c := range last.Commands {
			switch c := c.(type) {
			case *instructions.UserCommand:
				user = c.User
			case *instructions.EntrypointCommand:
				entrypoint = true
			case *instructions.HealthCheckCommand:
				healthcheck = c.Health != nil && len(c.Health.Test) > 0 && c.Health.Test[0] != "NONE"
			}
		}
		name := strings.SplitN(user, ":", 2)[0]
		if name == "" || name == "root" || name == "0" {
			r.failf("the runtime stage %q runs as root: add USER with a non-root user", last.Name)
		}
		if !entrypoint {
			r.failf("the runtime stage %q has no ENTRYPOINT", last.Name)
		}
		if !healthcheck {
			r.failf("the runtime stage %q has no HEALTHCHECK", last.Name)
		}
	}()
	return r.print(fmt.Sprintf("%d stages parsed and linted", stages))
}
