package reliability

import (
	"flag"
	"os"
	"strconv"
)

var (
	soakN = flag.Int("soak.n", envInt("MESSENGER_SOAK_N", 2000), "messages the soak test sends (50000 for the full run)")
	loadN = flag.Int("load.n", envInt("MESSENGER_LOAD_N", 3000), "webhook deliveries the load test posts")
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
