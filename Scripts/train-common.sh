# Sourced by the scripts that reproduce a shipped generator (train-diffusion.sh, train-octree.sh):
# installs what is missing, builds the release binary for this CPU, and sets
#   bin     the octoplane binary
#   start   the start time (seconds), for the scripts' minute counts
# `synth_once DIR SEED PER_CATEGORY` (synthesize the procedural collection; a rerun skips the
# complete models, so an interrupted synthesis resumes and a finished one costs nothing), and
# `stage_done NAME` (prints "NAME: M min (T min since the start)", M since the last stage_done).
# Expects `work` (the work folder) to be set.
bash Scripts/install-deps.sh
# shellcheck disable=SC2046
swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh) --product octoplane
bin=.build-native/release/octoplane
mkdir -p "$work"
start=$(date +%s); stage_start=$start
synth_once() { $bin synth --out "$1" --seed "$2" --per-category "$3" >/dev/null; }
stage_done() {
    local now; now=$(date +%s)
    echo "$1: $(( (now - stage_start) / 60 )) min ($(( (now - start) / 60 )) min since the start)"
    stage_start=$now
}
