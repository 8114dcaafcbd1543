// Where a cnnc executable's time goes between its OpenMP regions: an OMPT
// tool (the OpenMP runtime loads it; nothing in the executable changes) that
// reports, per parallel region (one fork site of the code), how often it ran,
// its time from fork to join, the serial time before it (since the previous
// join: code only the main thread runs), and each thread's share of the work
// (task start to the join barrier), so that serial stretches and imbalance
// show apart from the regions' own time.
//
//   /usr/lib/llvm-22/bin/clang -O2 -shared -fPIC bench/omp_regions.c \
//       -o /tmp/omp_regions.so
//   OMP_TOOL_LIBRARIES=/tmp/omp_regions.so ./exe bench --train --runs 100
//
// Each region is named by its fork site: the address after its call to
// __kmpc_fork_call, as `objdump -d exe` shows it (`function+offset` where the
// function is exported), where the instructions before the call name the
// outlined `..omp_par` function it runs. Times are summed
// over the whole run (warm-up included): divide by the steps run.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <omp-tools.h>

enum { kMaxRegions = 512, kMaxThreads = 8 };

typedef struct {
  const void *site;
  long calls;
  double wall, serialBefore;
  double work[kMaxThreads];
} Region;

static Region regions[kMaxRegions];
static int regionCount;
static double lastJoin;
static __thread Region *taskRegion;
static __thread unsigned taskThread;
static __thread double taskStart;

static double microseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

// Regions are found by fork site; a new site takes the next slot (the main
// thread alone forks, so no lock).
static Region *regionAt(const void *site) {
  for (int i = 0; i < regionCount; ++i)
    if (regions[i].site == site)
      return &regions[i];
  if (regionCount == kMaxRegions)
    return &regions[kMaxRegions - 1];
  regions[regionCount].site = site;
  return &regions[regionCount++];
}

static void parallelBegin(ompt_data_t *task, const ompt_frame_t *frame,
                          ompt_data_t *parallel, unsigned threads, int flags,
                          const void *site) {
  (void)task, (void)frame, (void)threads, (void)flags;
  Region *region = regionAt(site);
  double now = microseconds();
  if (lastJoin != 0)
    region->serialBefore += now - lastJoin;
  region->calls++;
  region->wall -= now;
  parallel->ptr = region;
}

static void parallelEnd(ompt_data_t *parallel, ompt_data_t *task, int flags,
                        const void *site) {
  (void)task, (void)flags, (void)site;
  lastJoin = microseconds();
  ((Region *)parallel->ptr)->wall += lastJoin;
}

static void implicitTask(ompt_scope_endpoint_t endpoint, ompt_data_t *parallel,
                         ompt_data_t *task, unsigned threads, unsigned index,
                         int flags) {
  (void)task, (void)threads, (void)flags;
  if (endpoint != ompt_scope_begin || !parallel || !parallel->ptr)
    return;
  taskRegion = parallel->ptr;
  taskThread = index < kMaxThreads ? index : kMaxThreads - 1;
  taskStart = microseconds();
}

// A task's work ends where it starts waiting at the region's closing barrier.
static void syncRegionWait(ompt_sync_region_t kind,
                           ompt_scope_endpoint_t endpoint,
                           ompt_data_t *parallel, ompt_data_t *task,
                           const void *site) {
  (void)kind, (void)parallel, (void)task, (void)site;
  if (endpoint != ompt_scope_begin || !taskRegion)
    return;
  taskRegion->work[taskThread] += microseconds() - taskStart;
  taskRegion = NULL;
}

static int initialize(ompt_function_lookup_t lookup, int device,
                      ompt_data_t *data) {
  (void)device, (void)data;
  ompt_set_callback_t set = (ompt_set_callback_t)lookup("ompt_set_callback");
  set(ompt_callback_parallel_begin, (ompt_callback_t)parallelBegin);
  set(ompt_callback_parallel_end, (ompt_callback_t)parallelEnd);
  set(ompt_callback_implicit_task, (ompt_callback_t)implicitTask);
  set(ompt_callback_sync_region_wait, (ompt_callback_t)syncRegionWait);
  return 1;
}

static void finalize(ompt_data_t *data) {
  (void)data;
  double wall = 0, serial = 0, idle = 0;
  fprintf(stderr, "%-32s %7s %11s %11s %11s %11s %6s\n", "fork site", "calls",
          "region us", "serial us", "work0 us", "work1 us", "imbal");
  for (int i = 0; i < regionCount; ++i) {
    Region *r = &regions[i];
    double most = 0, least = -1;
    for (int t = 0; t < kMaxThreads; ++t) {
      if (r->work[t] == 0)
        continue;
      most = r->work[t] > most ? r->work[t] : most;
      least = least < 0 || r->work[t] < least ? r->work[t] : least;
    }
    Dl_info info = {0};
    char name[64];
    if (!dladdr(r->site, &info))
      snprintf(name, sizeof name, "%p", r->site);
    else if (info.dli_sname)
      snprintf(name, sizeof name, "%s+0x%lx", info.dli_sname,
               (unsigned long)((const char *)r->site -
                               (const char *)info.dli_saddr));
    else // a local symbol: the address objdump shows for it
      snprintf(name, sizeof name, "0x%lx",
               (unsigned long)((const char *)r->site -
                               (const char *)info.dli_fbase));
    fprintf(stderr, "%-32s %7ld %11.0f %11.0f %11.0f %11.0f %5.1f%%\n", name,
            r->calls, r->wall, r->serialBefore, r->work[0], r->work[1],
            most > 0 ? 100 * (most - (least < 0 ? 0 : least)) / most : 0.0);
    wall += r->wall, serial += r->serialBefore;
    idle += most - (least < 0 ? 0 : least);
  }
  fprintf(stderr,
          "in regions %.0f us, serial between them %.0f us, a thread idle "
          "for imbalance %.0f us\n",
          wall, serial, idle);
}

ompt_start_tool_result_t *ompt_start_tool(unsigned version,
                                          const char *runtime) {
  (void)version, (void)runtime;
  static ompt_start_tool_result_t result = {initialize, finalize, {0}};
  return &result;
}
