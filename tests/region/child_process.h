// A child process with pipes to its standard input and output, for tests that make
// several real processes (usually `aperture run`) contend and need to talk to each.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace aperture::testing_support {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with argv; stderr goes to the same pipe as stdout.
  explicit ChildProcess(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_child_ = in[1];
    from_child_ = out[0];
  }
  ~ChildProcess() {
    if (to_child_ >= 0) close(to_child_);
    if (from_child_ >= 0) close(from_child_);
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The next line of output without its newline; "(timeout)" or "(eof)" otherwise.
  std::string line(int timeout_ms = 20000) {
    for (;;) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return l;
      }
      pollfd p{from_child_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return "(timeout)";
      char chunk[512];
      ssize_t n = read(from_child_, chunk, sizeof chunk);
      if (n <= 0) return "(eof)";
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  // Whether a line arrives within timeout_ms (without consuming it).
  bool quiet_for(int timeout_ms) {
    if (buffer_.find('\n') != std::string::npos) return false;
    pollfd p{from_child_, POLLIN, 0};
    return poll(&p, 1, timeout_ms) == 0;
  }
  void send(const std::string& text) {
    if (write(to_child_, text.data(), text.size()) < 0) perror("write to child");
  }
  void kill(int sig) { ::kill(pid_, sig); }
  // Exit status, or 128 + signal.
  int wait() {
    if (status_ >= 0) return status_;
    int status = 0;
    waitpid(pid_, &status, 0);
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  int status_ = -1;
  std::string buffer_;
};

}  // namespace aperture::testing_support
