#include "linux_user/task.h"

namespace mimic::linux_user {

namespace {
thread_local TaskState* t_current_task = nullptr;
}  // namespace

TaskState* current_task() { return t_current_task; }
void set_current_task(TaskState* t) { t_current_task = t; }

}  // namespace mimic::linux_user
