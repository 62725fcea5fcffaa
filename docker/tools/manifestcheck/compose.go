package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// hostNetworkReason is the extension a service must carry to use network_mode: host (which Docker Desktop
// does not have): the reason, for whoever reads the file.
const hostNetworkReason = "x-host-network-reason"

// checkCompose loads the file once per profile, as `docker compose --profile P config` does (schema
// validation, interpolation with defaults only, consistency of depends_on, networks and volumes), then checks
// that ports are published on the loopback only, that every service has a healthcheck (its own, or the
// HEALTHCHECK of the Dockerfile it is built from) and that host networking is explained.
func checkCompose(file string, profiles []string) bool {
	ok := true
	for _, profile := range profiles {
		r := &report{target: fmt.Sprintf("compose %s --profile %s", file, profile)}
		n := checkComposeProfile(r, file, profile)
		ok = r.print(fmt.Sprintf("%d services", n)) && ok
	}
	return ok
}

func checkComposeProfile(r *report, file, profile string) int {
	abs, err := filepath.Abs(file)
	if err != nil {
		r.failf("%v", err)
		return 0
	}
	opts, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		// Only the defaults written in the file: the check must not depend on the caller's environment.
		cli.WithEnv([]string{}),
		cli.WithProfiles([]string{profile}),
	)
	if err != nil {
		r.failf("%v", err)
		return 0
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		r.failf("%v", err)
		return 0
	}
	if len(project.Services) == 0 {
		r.failf("the profile enables no service")
	}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	healthchecks := map[string]bool{}
	for _, name := range names {
		s := project.Services[name]
		what := "service " + name
		for _, p := range s.Ports {
			if p.Published != "" && p.HostIP != "127.0.0.1" && p.HostIP != "::1" {
				on := fmt.Sprintf("%q", p.HostIP)
				if p.HostIP == "" || p.HostIP == "0.0.0.0" || p.HostIP == "::" {
					on = "every interface"
				}
				r.failf("%s: port %s is published on %s, not on the loopback only (127.0.0.1:%s:%d)", what, p.Published, on, p.Published, p.Target)
			}
		}
		if s.NetworkMode == "host" {
			if reason, _ := s.Extensions[hostNetworkReason].(string); strings.TrimSpace(reason) == "" {
				r.failf("%s: network_mode: host (not on Docker Desktop) needs %s saying why", what, hostNetworkReason)
			}
			if len(s.Ports) > 0 {
				r.failf("%s: network_mode: host publishes no ports; drop ports:", what)
			}
		}
		checkBookshelfEnv(r, project, s)
		if s.HealthCheck != nil && s.HealthCheck.Disable {
			r.failf("%s: its healthcheck is disabled", what)
		}
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 {
			if s.Build == nil {
				r.failf("%s: no healthcheck (and no Dockerfile whose HEALTHCHECK it would inherit)", what)
				continue
			}
			dockerfile := s.Build.Dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			if !filepath.IsAbs(dockerfile) {
				dockerfile = filepath.Join(s.Build.Context, dockerfile)
			}
			has, seen := healthchecks[dockerfile]
			if !seen {
				has = dockerfileHasHealthcheck(dockerfile)
				healthchecks[dockerfile] = has
			}
			if !has {
				r.failf("%s: no healthcheck, and %s has no HEALTHCHECK in its last stage", what, dockerfile)
			}
		}
	}
	return len(project.Services)
}

// checkBookshelfEnv: the infrastructure a Bookshelf service is pointed at (BOOKSHELF_BROKER, BOOKSHELF_REDIS,
// BOOKSHELF_CONSUL) runs in the same profile, and a service that registers in Consul advertises its own name on
// the compose network (what the agent's checks and the gateway resolve).
func checkBookshelfEnv(r *report, project *types.Project, s types.ServiceConfig) {
	what := "service " + s.Name
	env := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	for _, key := range []string{"BOOKSHELF_BROKER", "BOOKSHELF_REDIS", "BOOKSHELF_CONSUL"} {
		value := env[key]
		if value == "" {
			continue
		}
		for _, addr := range strings.Split(value, ",") {
			host := addr
			if i := strings.Index(host, "://"); i >= 0 {
				host = host[i+3:]
			}
			if i := strings.LastIndex(host, ":"); i >= 0 {
				host = host[:i]
			}
			if _, ok := project.Services[host]; !ok && host != "127.0.0.1" && host != "localhost" {
				r.failf("%s: %s=%s names %q, which is not a service of this profile", what, key, value, host)
			}
		}
	}
	if env["BOOKSHELF_CONSUL"] == "" {
		return
	}
	advertised := env["BOOKSHELF_ADVERTISE_ADDR"]
	names := map[string]bool{s.Name: true, s.Hostname: s.Hostname != "", s.ContainerName: s.ContainerName != ""}
	for _, n := range s.Networks {
		if n != nil {
			for _, a := range n.Aliases {
				names[a] = true
			}
		}
	}
	switch {
	case advertised == "":
		r.failf("%s: registers in Consul (BOOKSHELF_CONSUL) without BOOKSHELF_ADVERTISE_ADDR: it listens on 0.0.0.0", what)
	case !names[advertised]:
		r.failf("%s: BOOKSHELF_ADVERTISE_ADDR=%s is not this service's name on the compose network", what, advertised)
	}
}

func dockerfileHasHealthcheck(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		return false
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil || len(stages) == 0 {
		return false
	}
	for _, c := range stages[len(stages)-1].Commands {
		if _, ok := c.(*instructions.HealthCheckCommand); ok {
			return true
		}
	}
	return false
}
