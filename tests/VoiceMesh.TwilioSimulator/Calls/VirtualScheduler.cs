namespace VoiceMesh.TwilioSimulator.Calls;

/// <summary>
/// Runs actions at points in time of the simulator's clock with one timer. Every action due by the clock's
/// current time runs in due order, each told its own due time, so advancing a <c>FakeTimeProvider</c> by ten
/// minutes walks every call through ten minutes of its life, deterministically, before the advance returns.
/// With a clock other than the system clock, a <see cref="Hold"/> (a TwiML fetch in flight) keeps actions due
/// after its time waiting until it is released, so a clock jump cannot overtake a real-time HTTP round trip.
/// </summary>
internal sealed class VirtualScheduler : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Action<DateTimeOffset>, (DateTimeOffset Due, long Order)> _queue = new();
    private readonly List<DateTimeOffset> _holds = [];
    private readonly bool _honoursHolds;
    private long _order;
    private long _version;
    private long _activity;
    private bool _running;
    private bool _disposed;

    public VirtualScheduler(TimeProvider clock)
    {
        _clock = clock;
        _honoursHolds = clock != TimeProvider.System;
        _timer = clock.CreateTimer(_ => RunDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Bumped by every <see cref="Schedule"/> and <see cref="NoteActivity"/>: an idle check that reads it
    /// before and after sees whether anything started in between.</summary>
    public long Activity => Interlocked.Read(ref _activity);

    /// <summary>True while an action runs or one is due by the clock's current time.</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
            {
                return _running || (_queue.TryPeek(out _, out var priority) && IsRunnable(priority.Due));
            }
        }
    }

    public void NoteActivity() => Interlocked.Increment(ref _activity);

    /// <summary>Keeps actions due after <paramref name="at"/> from running until the returned hold is disposed.</summary>
    public IDisposable Hold(DateTimeOffset at)
    {
        if (!_honoursHolds)
        {
            return new Release(null, at);
        }

        lock (_gate)
        {
            _holds.Add(at);
        }

        return new Release(this, at);
    }

    /// <summary>Runs <paramref name="action"/> in due order with the other actions (one at a time) and completes once it ran.</summary>
    public Task RunAsync(DateTimeOffset due, Action<DateTimeOffset> action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduled = Schedule(due, at =>
        {
            try
            {
                action(at);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        if (!scheduled)
        {
            done.TrySetCanceled();
        }

        return done.Task;
    }

    /// <summary>Queues <paramref name="action"/> for <paramref name="due"/>; false once disposed.</summary>
    public bool Schedule(DateTimeOffset due, Action<DateTimeOffset> action)
    {
        Interlocked.Increment(ref _activity);
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _queue.Enqueue(action, (due, _order++));
            if (_running)
            {
                return true;
            }
        }

        Rearm();
        return true;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _queue.Clear();
        }

        _timer.Dispose();
    }

    private void RunDue()
    {
        lock (_gate)
        {
            if (_running)
            {
                return;
            }

            _running = true;
        }

        while (true)
        {
            Action<DateTimeOffset> action;
            DateTimeOffset due;
            lock (_gate)
            {
                if (_disposed || !_queue.TryPeek(out action!, out var priority) || !IsRunnable(priority.Due))
                {
                    _running = false;
                    break;
                }

                _queue.Dequeue();
                due = priority.Due;
            }

            action(due);
        }

        Rearm();
    }

    /// <summary>Points the timer at the earliest action; repeats when another thread changed the queue meanwhile.</summary>
    private void Rearm()
    {
        while (true)
        {
            TimeSpan dueIn;
            long version;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                version = ++_version;
                dueIn = _queue.TryPeek(out _, out var priority) && !IsHeld(priority.Due)
                    ? TimeSpan.FromTicks(Math.Max(0, (priority.Due - _clock.GetUtcNow()).Ticks))
                    : Timeout.InfiniteTimeSpan;
            }

            _timer.Change(dueIn, Timeout.InfiniteTimeSpan);
            lock (_gate)
            {
                if (version == _version)
                {
                    return;
                }
            }
        }
    }

    private bool IsRunnable(DateTimeOffset due) => due <= _clock.GetUtcNow() && !IsHeld(due);

    private bool IsHeld(DateTimeOffset due) => _holds.Count > 0 && due > _holds.Min();

    private void Unhold(DateTimeOffset at)
    {
        lock (_gate)
        {
            _holds.Remove(at);
            if (_running || _disposed)
            {
                return;
            }
        }

        Rearm();
    }

    private sealed class Release(VirtualScheduler? scheduler, DateTimeOffset at) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                scheduler?.Unhold(at);
            }
        }
    }
}
