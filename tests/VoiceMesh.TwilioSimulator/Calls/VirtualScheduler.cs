namespace VoiceMesh.TwilioSimulator.Calls;

/// <summary>
/// Runs actions at points in time of the simulator's clock with one timer. Every action due by the clock's
/// current time runs in due order, each told its own due time, so advancing a <c>FakeTimeProvider</c> by ten
/// minutes walks every call through ten minutes of its life, deterministically, before the advance returns.
/// </summary>
internal sealed class VirtualScheduler : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Action<DateTimeOffset>, (DateTimeOffset Due, long Order)> _queue = new();
    private long _order;
    private long _version;
    private bool _running;
    private bool _disposed;

    public VirtualScheduler(TimeProvider clock)
    {
        _clock = clock;
        _timer = clock.CreateTimer(_ => RunDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public DateTimeOffset Now => _clock.GetUtcNow();

    public void Schedule(DateTimeOffset due, Action<DateTimeOffset> action)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _queue.Enqueue(action, (due, _order++));
            if (_running)
            {
                return;
            }
        }

        Rearm();
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
                if (_disposed || !_queue.TryPeek(out action!, out var priority) || priority.Due > _clock.GetUtcNow())
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
                dueIn = _queue.TryPeek(out _, out var priority)
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
}
