namespace VoiceMesh.TwilioSimulator.Admin;

/// <summary>One REST request the simulator answered.</summary>
public sealed record RecordedRequest
{
    public required long Id { get; init; }

    /// <summary>Simulator clock time at arrival.</summary>
    public required DateTimeOffset Time { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public required string Query { get; init; }

    public required IReadOnlyDictionary<string, string[]> Form { get; init; }

    public required int StatusCode { get; init; }

    public string? AccountSid { get; init; }

    /// <summary>The fault that shaped the answer: <c>injected-error</c>, <c>cps-limit</c>,
    /// <c>create-response-aborted</c> or <c>create-response-delayed</c>.</summary>
    public string? Fault { get; init; }
}

/// <summary>The REST request log; thread-safe.</summary>
internal sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public void Add(Func<long, RecordedRequest> create)
    {
        lock (_gate)
        {
            _requests.Add(create(_requests.Count == 0 ? 0 : _requests[^1].Id + 1));
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }
}
