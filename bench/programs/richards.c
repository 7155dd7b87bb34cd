// Richards-like: an operating-system simulation after Martin Richards' benchmark, written
// here from the algorithm. Six tasks (idle, worker, two handlers, two devices) pass packets
// through a priority scheduler; every task body is called through a function pointer held
// in its control block, so the hot path is indirect calls through structs and pointer
// chasing. One round queues 23,246 packets and holds tasks 9,297 times (the benchmark's
// published check values); the argument is the number of rounds.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kIdle, kWorker, kHandlerA, kHandlerB, kDeviceA, kDeviceB, kTasks };
enum { kDevicePacket, kWorkPacket };
enum { kPacketPending = 1, kWaiting = 2, kHeld = 4 };  // task state bits
enum { kBufferSize = 4, kCount = 10000 };

typedef struct Packet {
  struct Packet* link;
  int id, kind, datum;
  char data[kBufferSize];
} Packet;

typedef struct Task Task;
typedef struct Scheduler Scheduler;
typedef Task* (*TaskBody)(Scheduler* s, Task* self, Packet* packet);

struct Task {
  Task* link;  // next task in priority order
  int id, priority, state;
  Packet* queue;
  TaskBody body;
  int v1, v2;           // idle and worker: their counters
  Packet *in1, *in2;    // handlers: work and device packets; devices: the packet held
};

struct Scheduler {
  Task* tasks[kTasks];
  Task* list;
  Task* current;
  int current_id;
  long queued, held;
};

static Packet* append(Packet* packet, Packet* queue) {
  packet->link = NULL;
  if (!queue) return packet;
  Packet* p = queue;
  while (p->link) p = p->link;
  p->link = packet;
  return queue;
}

static Task* hold_self(Scheduler* s) {
  s->held++;
  s->current->state |= kHeld;
  return s->current->link;
}

static Task* wait_for_packet(Scheduler* s) {
  s->current->state |= kWaiting;
  return s->current;
}

static Task* release(Scheduler* s, int id) {
  Task* t = s->tasks[id];
  t->state &= ~kHeld;
  return t->priority > s->current->priority ? t : s->current;
}

static Task* queue_packet(Scheduler* s, Packet* packet) {
  Task* t = s->tasks[packet->id];
  s->queued++;
  packet->link = NULL;
  packet->id = s->current_id;
  if (!t->queue) {
    t->queue = packet;
    t->state |= kPacketPending;
    if (t->priority > s->current->priority) return t;
  } else {
    t->queue = append(packet, t->queue);
  }
  return s->current;
}

static Task* idle_body(Scheduler* s, Task* self, Packet* packet) {
  (void)packet;
  if (--self->v2 == 0) return hold_self(s);
  if ((self->v1 & 1) == 0) {
    self->v1 = (self->v1 >> 1) & 0x7fff;
    return release(s, kDeviceA);
  }
  self->v1 = ((self->v1 >> 1) & 0x7fff) ^ 0xd008;
  return release(s, kDeviceB);
}

static Task* worker_body(Scheduler* s, Task* self, Packet* packet) {
  if (!packet) return wait_for_packet(s);
  self->v1 = kHandlerA + kHandlerB - self->v1;
  packet->id = self->v1;
  packet->datum = 0;
  for (int i = 0; i < kBufferSize; i++) {
    if (++self->v2 > 26) self->v2 = 1;
    packet->data[i] = (char)('A' + self->v2 - 1);
  }
  return queue_packet(s, packet);
}

static Task* handler_body(Scheduler* s, Task* self, Packet* packet) {
  if (packet) {
    if (packet->kind == kWorkPacket) self->in1 = append(packet, self->in1);
    else self->in2 = append(packet, self->in2);
  }
  if (self->in1) {
    Packet* work = self->in1;
    int count = work->datum;
    if (count >= kBufferSize) {
      self->in1 = work->link;
      return queue_packet(s, work);
    }
    if (self->in2) {
      Packet* device = self->in2;
      self->in2 = device->link;
      device->datum = work->data[count];
      work->datum = count + 1;
      return queue_packet(s, device);
    }
  }
  return wait_for_packet(s);
}

static Task* device_body(Scheduler* s, Task* self, Packet* packet) {
  if (!packet) {
    if (!self->in1) return wait_for_packet(s);
    Packet* p = self->in1;
    self->in1 = NULL;
    return queue_packet(s, p);
  }
  self->in1 = packet;
  return hold_self(s);
}

static Packet* new_packet(Packet* link, int id, int kind) {
  Packet* p = calloc(1, sizeof *p);
  p->link = link;
  p->id = id;
  p->kind = kind;
  return p;
}

static void add_task(Scheduler* s, int id, int priority, Packet* queue, int state, TaskBody body,
                     int v1, int v2) {
  Task* t = calloc(1, sizeof *t);
  t->link = s->list;
  t->id = id;
  t->priority = priority;
  t->queue = queue;
  t->state = state;
  t->body = body;
  t->v1 = v1;
  t->v2 = v2;
  s->tasks[id] = t;
  s->list = t;
}

static void run(Scheduler* s) {
  s->current = s->list;
  while (s->current) {
    Task* t = s->current;
    Packet* packet = NULL;
    if (t->state & (kHeld | kWaiting)) {
      if (t->state != (kWaiting | kPacketPending)) {  // held, or waiting with nothing queued
        s->current = t->link;
        continue;
      }
      packet = t->queue;  // waiting and a packet came: take it
      t->queue = packet->link;
      t->state = t->queue ? kPacketPending : 0;
    }
    s->current_id = t->id;
    s->current = t->body(s, t, packet);
  }
}

static void free_packets(Packet* p) {
  while (p) {
    Packet* next = p->link;
    free(p);
    p = next;
  }
}

static void round_once(long* queued, long* held) {
  Scheduler s;
  memset(&s, 0, sizeof s);
  add_task(&s, kIdle, 0, NULL, 0, idle_body, 1, kCount);
  Packet* q = new_packet(new_packet(NULL, 0, kWorkPacket), 0, kWorkPacket);
  add_task(&s, kWorker, 1000, q, kWaiting | kPacketPending, worker_body, kHandlerA, 0);
  q = new_packet(new_packet(new_packet(NULL, kDeviceA, kDevicePacket), kDeviceA, kDevicePacket),
                 kDeviceA, kDevicePacket);
  add_task(&s, kHandlerA, 2000, q, kWaiting | kPacketPending, handler_body, 0, 0);
  q = new_packet(new_packet(new_packet(NULL, kDeviceB, kDevicePacket), kDeviceB, kDevicePacket),
                 kDeviceB, kDevicePacket);
  add_task(&s, kHandlerB, 3000, q, kWaiting | kPacketPending, handler_body, 0, 0);
  add_task(&s, kDeviceA, 4000, NULL, kWaiting, device_body, 0, 0);
  add_task(&s, kDeviceB, 5000, NULL, kWaiting, device_body, 0, 0);
  run(&s);
  *queued = s.queued;
  *held = s.held;
  // Every packet is in exactly one place when the idle task stops: a task's queue, a
  // handler's lists or a device's hand.
  for (int i = 0; i < kTasks; i++) {
    Task* t = s.tasks[i];
    free_packets(t->queue);
    if (i == kDeviceA || i == kDeviceB) {
      free(t->in1);
    } else {
      free_packets(t->in1);
      free_packets(t->in2);
    }
    free(t);
  }
}

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 10;
  long queued = 0, held = 0;
  for (int r = 0; r < rounds; r++) {
    long q, h;
    round_once(&q, &h);
    if (q != 23246 || h != 9297) {
      printf("round %d: %ld packets queued, %ld holds (expected 23246, 9297)\n", r, q, h);
      return 1;
    }
    queued += q;
    held += h;
  }
  printf("richards: %d rounds, %ld packets queued, %ld holds\n", rounds, queued, held);
  return 0;
}
