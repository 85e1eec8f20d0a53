using System.Text.Json.Serialization;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Admin;

/// <summary>REST requests answered with <see cref="Status"/> (500 or 503) for <see cref="Count"/> requests or
/// <see cref="Seconds"/> of simulator time, whichever is given (both: whichever ends first); only those with
/// <see cref="Method"/> and a path containing <see cref="PathContains"/> when given (the others are answered as usual).</summary>
public sealed record InjectedErrors
{
    public int Status { get; init; } = 503;

    public int? Count { get; init; }

    public double? Seconds { get; init; }

    public string? Method { get; init; }

    public string? PathContains { get; init; }

    public bool Matches(string method, string path) =>
        (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && (PathContains is null || path.Contains(PathContains, StringComparison.Ordinal));
}

[JsonConverter(typeof(JsonStringEnumConverter<CreateResponseFaultMode>))]
public enum CreateResponseFaultMode
{
    /// <summary>The connection is aborted after the call (or participant) was created.</summary>
    [JsonStringEnumMemberName("abort")]
    Abort,

    /// <summary>The 201 is held back for <see cref="CreateResponseFault.Delay"/> (real time), past the client's timeout.</summary>
    [JsonStringEnumMemberName("delay")]
    Delay,
}

/// <summary>The next <see cref="Count"/> creates (Calls, Participants) succeed but their response is lost or late.</summary>
public sealed record CreateResponseFault
{
    public CreateResponseFaultMode Mode { get; init; } = CreateResponseFaultMode.Abort;

    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(30);

    public int Count { get; init; } = 1;
}

/// <summary>Fault switches of the REST API; thread-safe.</summary>
internal sealed class FaultState(VirtualScheduler scheduler)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recentCreates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _cpsPerAccount = new(StringComparer.Ordinal);
    private int? _cps;
    private InjectedErrors? _errors;
    private int _errorsLeft;
    private DateTimeOffset _errorsUntil;
    private TimeSpan _latency;
    private CreateResponseFault? _createFault;
    private int _createFaultsLeft;

    public TimeSpan Latency
    {
        get
        {
            lock (_gate)
            {
                return _latency;
            }
        }

        set
        {
            lock (_gate)
            {
                _latency = value;
            }
        }
    }

    /// <summary>Limits Calls create per second for one account, or for every account when <paramref name="accountSid"/> is null.</summary>
    public void SetCallsPerSecond(int? limit, string? accountSid)
    {
        lock (_gate)
        {
            if (accountSid is null)
            {
                _cps = limit;
            }
            else if (limit is { } value)
            {
                _cpsPerAccount[accountSid] = value;
            }
            else
            {
                _cpsPerAccount.Remove(accountSid);
            }
        }
    }

    public void InjectErrors(InjectedErrors errors)
    {
        lock (_gate)
        {
            _errors = errors;
            _errorsLeft = errors.Count ?? int.MaxValue;
            _errorsUntil = errors.Seconds is { } seconds ? scheduler.Now + TimeSpan.FromSeconds(seconds) : DateTimeOffset.MaxValue;
        }
    }

    public void FailCreateResponses(CreateResponseFault fault)
    {
        lock (_gate)
        {
            _createFault = fault;
            _createFaultsLeft = fault.Count;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _cps = null;
            _cpsPerAccount.Clear();
            _recentCreates.Clear();
            _errors = null;
            _latency = TimeSpan.Zero;
            _createFault = null;
        }
    }

    /// <summary>The error to answer this request with, if errors are being injected.</summary>
    public TwilioError? TakeInjectedError(string method, string path)
    {
        lock (_gate)
        {
            if (_errors is not { } errors || _errorsLeft <= 0 || scheduler.Now >= _errorsUntil)
            {
                _errors = null;
                return null;
            }

            if (!errors.Matches(method, path))
            {
                return null;
            }

            _errorsLeft--;
            return errors.Status == 500
                ? TwilioError.Of(20500, 500, "An internal server error has occurred")
                : TwilioError.Of(20503, errors.Status, "Service Unavailable");
        }
    }

    /// <summary>Counts a Calls create against the account's limit over the last second; false when it is over.</summary>
    public bool TryAcquireCreate(string accountSid)
    {
        lock (_gate)
        {
            int? limit = _cpsPerAccount.TryGetValue(accountSid, out var own) ? own : _cps;
            if (limit is not { } max)
            {
                return true;
            }

            var now = scheduler.Now;
            if (!_recentCreates.TryGetValue(accountSid, out var recent))
            {
                _recentCreates[accountSid] = recent = new Queue<DateTimeOffset>();
            }

            while (recent.TryPeek(out var oldest) && now - oldest >= TimeSpan.FromSeconds(1))
            {
                recent.Dequeue();
            }

            if (recent.Count >= max)
            {
                return false;
            }

            recent.Enqueue(now);
            return true;
        }
    }

    public CreateResponseFault? TakeCreateFault()
    {
        lock (_gate)
        {
            if (_createFault is null || _createFaultsLeft <= 0)
            {
                return null;
            }

            _createFaultsLeft--;
            return _createFault;
        }
    }
}
