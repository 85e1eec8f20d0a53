using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.TwimlRuntime;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Admin;

/// <summary>
/// The fixture API: what <c>/_sim/...</c> offers over HTTP, for tests that host the simulator in-process.
/// Every switch takes effect at once.
/// </summary>
public sealed class SimulatorControl
{
    private readonly OutcomeScript _outcomes;
    private readonly FaultState _faults;
    private readonly WebhookDispatcher _webhooks;
    private readonly RequestLog _requests;
    private readonly SimulatorAccounts _accounts;
    private readonly TwimlEngine _twiml;

    internal SimulatorControl(
        OutcomeScript outcomes, FaultState faults, WebhookDispatcher webhooks, RequestLog requests, SimulatorAccounts accounts,
        TwimlEngine twiml)
    {
        _twiml = twiml;
        _outcomes = outcomes;
        _faults = faults;
        _webhooks = webhooks;
        _requests = requests;
        _accounts = accounts;
    }

    /// <summary>Every REST request so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.Requests;

    /// <summary>Every webhook attempt (and every dropped webhook) so far, oldest first.</summary>
    public IReadOnlyList<WebhookAttempt> Webhooks => _webhooks.Attempts;

    public IReadOnlyList<OutcomeRule> Outcomes => _outcomes.Rules;

    /// <summary>Where webhooks go (scheme, host and port replaced); null sends them to the URL as given.</summary>
    public Uri? WebhookTarget
    {
        get => _webhooks.Target;
        set => _webhooks.Target = value;
    }

    public WebhookChaos WebhookChaos
    {
        get => _webhooks.Chaos;
        set => _webhooks.Chaos = value;
    }

    public void AddOutcome(OutcomeRule rule) => _outcomes.Add(rule);

    public void ClearOutcomes() => _outcomes.Clear();

    public void AddAccount(string accountSid, string authToken) => _accounts.Add(accountSid, authToken);

    /// <summary>Calls create per second per account (429, code 20429, beyond it); null lifts the limit.</summary>
    public void SetCallsPerSecond(int? limit, string? accountSid = null) => _faults.SetCallsPerSecond(limit, accountSid);

    public void InjectErrors(InjectedErrors errors) => _faults.InjectErrors(errors);

    /// <summary>Real time added before every REST answer.</summary>
    public void SetLatency(TimeSpan latency) => _faults.Latency = latency;

    public void FailCreateResponses(CreateResponseFault fault) => _faults.FailCreateResponses(fault);

    /// <summary>Lifts every REST fault and the webhook chaos.</summary>
    public void ClearFaults()
    {
        _faults.Clear();
        _webhooks.Chaos = WebhookChaos.None;
    }

    public void ClearLogs()
    {
        _requests.Clear();
        _webhooks.ClearLog();
    }

    /// <summary>
    /// Starts an inbound call to <see cref="InboundCallRequest.To"/> (<c>POST /_sim/calls/inbound</c>) and returns its
    /// CallSid. Throws <see cref="ArgumentException"/> for a bad request and <see cref="KeyNotFoundException"/> when
    /// the number has no Voice URL and none is given.
    /// </summary>
    public string StartInboundCall(InboundCallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _twiml.StartInbound(request);
        return started switch
        {
            { CallSid: { } sid } => sid,
            { Status: 404 } => throw new KeyNotFoundException(started.Error),
            _ => throw new ArgumentException(started.Error, nameof(request)),
        };
    }

    /// <summary>The verbs an inbound call executed, its status and TwiML error; null for an unknown call.</summary>
    public CallTwimlLog? TwimlLog(string callSid) => _twiml.Log(callSid);

    /// <summary>Waits (real time) until no webhook is queued or in flight; false on timeout.</summary>
    public Task<bool> WhenWebhooksIdleAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _webhooks.WhenIdleAsync(timeout ?? TimeSpan.FromSeconds(10), cancellationToken);
}
