// process-guard COMMAND [ARGS...]
// Runs COMMAND as the child of a Linux child subreaper: whatever COMMAND starts stays a
// descendant of this process even when it forks, calls setsid and forks again, because orphans
// are re-parented here instead of to init. When COMMAND ends, when this process gets SIGTERM,
// SIGINT or SIGHUP, or when its own parent dies (PR_SET_PDEATHSIG), every process left below it
// is killed with SIGKILL and reaped before it exits.
// Exit status: COMMAND's; killed by a signal -> the same signal; stopped by a signal -> SIGKILL.
// A COMMAND that cannot be executed: status 127 and one stderr line ending in "(errno N)".
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal = 0;

static void on_stop(int sig) { stop_signal = sig; }

// SIGKILL every child of ours (started or adopted); returns how many were alive.
static int kill_children(pid_t self) {
  int alive = 0;
  DIR *proc = opendir("/proc");
  if (!proc) return 0;
  struct dirent *entry;
  while ((entry = readdir(proc)) != NULL) {
    pid_t pid = (pid_t)atoi(entry->d_name);
    if (pid <= 0) continue;
    char file[64], buf[512];
    snprintf(file, sizeof file, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(file, "r");
    if (!f) continue;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close_paren = strrchr(buf, ')');
    char state;
    int ppid;
    if (!close_paren || sscanf(close_paren + 2, "%c %d", &state, &ppid) != 2) continue;
    if (ppid != (int)self || state == 'Z') continue;
    kill(pid, SIGKILL);
    alive++;
  }
  closedir(proc);
  return alive;
}

// Kill and reap until no child is left: a killed parent's children come to us, then go too.
static void kill_all_descendants(pid_t self) {
  const struct timespec pause = {0, 2 * 1000 * 1000};
  for (;;) {
    int alive = kill_children(self);
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    if (alive == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD) return;
    nanosleep(&pause, NULL);
  }
}

static void die_like(int sig) {
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(sig, SIG_DFL);
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_UNBLOCK, &all, NULL);
  raise(sig);
  _exit(128 + sig);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: process-guard COMMAND [ARGS...]\n", stderr);
    return 2;
  }
  pid_t self = getpid();
  pid_t parent = getppid();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) perror("process-guard: PR_SET_CHILD_SUBREAPER");
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) return 1; // the parent died before the line above

  sigset_t stops, previous;
  sigemptyset(&stops);
  sigaddset(&stops, SIGTERM);
  sigaddset(&stops, SIGINT);
  sigaddset(&stops, SIGHUP);
  sigprocmask(SIG_BLOCK, &stops, &previous);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

  pid_t child = fork();
  if (child < 0) {
    perror("process-guard: fork");
    return 126;
  }
  if (child == 0) {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    sigprocmask(SIG_SETMASK, &previous, NULL);
    execvp(argv[1], argv + 1);
    int err = errno;
    fprintf(stderr, "process-guard: cannot execute %s: %s (errno %d)\n", argv[1], strerror(err), err);
    _exit(127);
  }
  sigprocmask(SIG_UNBLOCK, &stops, NULL);

  int status = 0;
  int child_done = 0;
  while (!child_done && !stop_signal) {
    int st;
    pid_t done = waitpid(-1, &st, 0);
    if (done == child) {
      status = st;
      child_done = 1;
    } else if (done < 0 && errno != EINTR) {
      break;
    }
  }
  sigprocmask(SIG_BLOCK, &stops, NULL);
  kill_all_descendants(self);
  if (stop_signal) die_like(SIGKILL);
  if (WIFSIGNALED(status)) die_like(WTERMSIG(status));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
