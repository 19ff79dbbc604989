// Signals and threads: pthread_kill reaches the chosen thread; a
// process-directed kill() goes to the one thread that does not block it;
// a thread's own mask is its own (the main thread's mask is unaffected);
// sigwait in a dedicated thread.
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_t worker;
static volatile int handled_in_worker, handled_in_main, handled_count;
static sem_t ready, done, go;

static void on_sig(int sig) {
  (void)sig;
  if (pthread_equal(pthread_self(), worker))
    handled_in_worker++;
  else
    handled_in_main++;
  handled_count++;
}

static void* worker_main(void* arg) {
  (void)arg;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  pthread_sigmask(SIG_UNBLOCK, &s, NULL);  // main blocks SIGUSR2; we take it
  sem_post(&ready);
  for (int phase = 0; phase < 2; ++phase) {
    sem_wait(&go);
    while (handled_count == 0) usleep(1000);
    sem_post(&done);
  }
  return NULL;
}

static void* waiter_main(void* arg) {
  sigset_t* set = arg;
  int sig = 0;
  sigwait(set, &sig);
  return (void*)(long)sig;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  sem_init(&ready, 0, 0);
  sem_init(&done, 0, 0);
  sem_init(&go, 0, 0);
  signal(SIGUSR1, on_sig);
  signal(SIGUSR2, on_sig);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &s, NULL);
  pthread_create(&worker, NULL, worker_main, NULL);
  sem_wait(&ready);

  // Thread-directed.
  handled_count = 0;
  pthread_kill(worker, SIGUSR1);
  sem_post(&go);
  sem_wait(&done);
  printf("pthread_kill: in worker %d in main %d\n", handled_in_worker, handled_in_main);

  // Process-directed: only the worker accepts SIGUSR2.
  handled_count = 0;
  handled_in_worker = handled_in_main = 0;
  kill(getpid(), SIGUSR2);
  sem_post(&go);
  sem_wait(&done);
  printf("kill: in worker %d in main %d\n", handled_in_worker, handled_in_main);
  pthread_join(worker, NULL);

  sigset_t now;
  pthread_sigmask(SIG_SETMASK, NULL, &now);
  printf("main still blocks SIGUSR2: %d\n", sigismember(&now, SIGUSR2));

  // A sigwait thread, with the signal blocked everywhere.
  sigset_t w;
  sigemptyset(&w);
  sigaddset(&w, SIGRTMIN + 5);
  pthread_sigmask(SIG_BLOCK, &w, NULL);
  pthread_t waiter;
  pthread_create(&waiter, NULL, waiter_main, &w);
  kill(getpid(), SIGRTMIN + 5);
  void* res;
  pthread_join(waiter, &res);
  printf("sigwait got SIGRTMIN+%ld\n", (long)res - SIGRTMIN);

  // Main receives its own pthread_kill once unblocked.
  handled_in_main = 0;
  pthread_kill(pthread_self(), SIGUSR2);
  printf("blocked self: %d\n", handled_in_main);
  pthread_sigmask(SIG_UNBLOCK, &s, NULL);
  printf("unblocked self: %d\n", handled_in_main);
  return 0;
}
