// obscheck checks the monitoring and deployment files strictly, with the upstream libraries that define them:
//
//	obscheck dashboards FILE...         each Grafana dashboard JSON through grafana-foundation-sdk's strict decoder
//	                                    (unknown fields, wrong types, unknown panel options fail) and its Validate
//	obscheck compose FILE [KEY=VAL...]  a Compose file through compose-go: its JSON schema (the Compose specification's)
//	                                    and the project loader (interpolation, references between services, volumes)
//
// Exit 0 when every file passes; otherwise each problem on stderr and exit 1. Built and cached by
// scripts/observability-tools.sh; the Java tests run it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: obscheck dashboards FILE... | obscheck compose FILE [KEY=VAL...]")
		os.Exit(2)
	}
	var failed bool
	switch os.Args[1] {
	case "dashboards":
		plugins.RegisterDefaultPlugins() // panel options and Prometheus targets decoded strictly by panel/datasource type
		for _, f := range os.Args[2:] {
			if err := checkDashboard(f); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
				failed = true
			} else {
				fmt.Printf("%s: ok\n", f)
			}
		}
	case "compose":
		if err := checkCompose(os.Args[2], os.Args[3:]); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[2], err)
			failed = true
		} else {
			fmt.Printf("%s: ok\n", os.Args[2])
		}
	default:
		fmt.Fprintf(os.Stderr, "obscheck: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

func checkDashboard(file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var d dashboard.Dashboard
	// A clean strict decode returns a non-nil but empty cog.BuildErrors.
	if err := d.UnmarshalJSONStrict(raw); err != nil {
		var be cog.BuildErrors
		if !errors.As(err, &be) || len(be) > 0 {
			return fmt.Errorf("strict decode: %w", err)
		}
	}
	if err := d.Validate(); err != nil {
		var be cog.BuildErrors
		if !errors.As(err, &be) || len(be) > 0 {
			return fmt.Errorf("validate: %w", err)
		}
	}
	if d.Title == nil || *d.Title == "" || len(d.Panels) == 0 {
		return fmt.Errorf("a dashboard needs a title and panels")
	}
	return nil
}

func checkCompose(file string, env []string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	opts, err := cli.NewProjectOptions([]string{abs}, cli.WithEnv(env), cli.WithName("evmore"),
		cli.WithWorkingDirectory(filepath.Dir(abs)), cli.WithConsistency(true))
	if err != nil {
		return err
	}
	// LoadProject validates the model against compose-spec.json, interpolates ${VAR} (a ${VAR:?…} left unset is an
	// error), and checks consistency: services named in depends_on and volumes/networks used are declared.
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	if len(p.Services) == 0 {
		return fmt.Errorf("no services")
	}
	return nil
}
