using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Conferences;
using VoiceMesh.TwilioSimulator.Hosting;
using VoiceMesh.TwilioSimulator.Numbers;
using VoiceMesh.TwilioSimulator.Recordings;
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
    private readonly RecordingStore _recordings;
    private readonly MediaDownloadLog _mediaDownloads;
    private readonly ConferenceEngine _conferences;
    private readonly string _accountSid;
    private readonly NumberInventory _numbers;
    private readonly CallPricing _pricing;
    private readonly CallEngine _calls;

    internal SimulatorControl(
        OutcomeScript outcomes, FaultState faults, WebhookDispatcher webhooks, RequestLog requests, SimulatorAccounts accounts,
        TwimlEngine twiml, RecordingStore recordings, MediaDownloadLog mediaDownloads, ConferenceEngine conferences,
        NumberInventory numbers, CallPricing pricing, CallEngine calls, SimulatorOptions options)
    {
        _pricing = pricing;
        _calls = calls;
        _conferences = conferences;
        _accountSid = options.AccountSid;
        _numbers = numbers;
        _twiml = twiml;
        _recordings = recordings;
        _mediaDownloads = mediaDownloads;
        _outcomes = outcomes;
        _faults = faults;
        _webhooks = webhooks;
        _requests = requests;
        _accounts = accounts;
    }

    /// <summary>Buying a number that starts with <paramref name="prefix"/> answers 21422 from now on (someone else took it).</summary>
    public void RefuseNumberPurchases(string prefix) => _numbers.RefusePurchases(prefix);

    /// <summary>Every REST request so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.Requests;

    /// <summary>Every webhook attempt (and every dropped webhook) so far, oldest first.</summary>
    public IReadOnlyList<WebhookAttempt> Webhooks => _webhooks.Attempts;

    public IReadOnlyList<OutcomeRule> Outcomes => _outcomes.Rules;

    /// <summary>Every recording media request so far, oldest first, with how much of its body went out (live while it streams).</summary>
    public IReadOnlyList<MediaDownload> MediaDownloads => _mediaDownloads.Downloads;

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

    /// <summary>Removes every outcome rule and caller answer rate.</summary>
    public void ClearOutcomes() => _outcomes.Clear();

    /// <summary>Scripts how often calls from one caller id are answered (see <see cref="CallerAnswerRate"/>).</summary>
    public void SetAnswerRate(CallerAnswerRate rate) => _outcomes.SetAnswerRate(rate);

    public IReadOnlyList<CallerAnswerRate> AnswerRates => _outcomes.AnswerRates;

    /// <summary>
    /// The price list calls are rated by when they end (<c>GET/PUT /_sim/pricing</c>); setting it throws
    /// <see cref="ArgumentException"/> naming the first invalid field. Calls that ended before keep their price.
    /// </summary>
    public CallPriceList Pricing
    {
        get => _pricing.List;
        set => _pricing.List = value;
    }

    /// <summary>The simulator's record of what call <paramref name="callSid"/> cost; null while it is live or unknown.</summary>
    public SimulatedCallPrice? CallPrice(string callSid) => _calls.PriceOf(callSid);

    /// <summary>The price records of every ended call, in creation order (<c>GET /_sim/calls/prices</c>).</summary>
    public IReadOnlyList<SimulatedCallPrice> CallPrices => _calls.Prices();

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

    /// <summary>
    /// Sets how recording <paramref name="recordingSid"/>'s media is served: its size or duration, a bandwidth and a
    /// fault (<c>PUT /_sim/recordings/{sid}/media</c>). Throws <see cref="KeyNotFoundException"/> for an unknown
    /// recording and <see cref="ArgumentException"/> for settings that make no WAV file.
    /// </summary>
    public void SetRecordingMedia(string recordingSid, RecordingMediaSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var recording = _recordings.Find(recordingSid) ?? throw new KeyNotFoundException($"No recording {recordingSid}");
        lock (recording.Gate)
        {
            recording.SetMedia(settings);
        }
    }

    public void ClearLogs()
    {
        _requests.Clear();
        _webhooks.ClearLog();
        _mediaDownloads.Clear();
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

    /// <summary>
    /// The simulator's record of conference <paramref name="sidOrName"/> (a CF SID, or a name: the latest conference so
    /// named) in account <paramref name="accountSid"/> (null: the configured one), as <c>GET /_sim/conferences/{sidOrName}</c>
    /// returns it; null for an unknown conference.
    /// </summary>
    public ConferenceSnapshot? ConferenceRecord(string sidOrName, string? accountSid = null) =>
        _conferences.Snapshot(accountSid ?? _accountSid, sidOrName);

    /// <summary>
    /// Participant <paramref name="callSid"/> of conference <paramref name="sidOrName"/> (a CF SID or the running
    /// conference's name) starts or stops speaking (<c>POST /_sim/conferences/{sidOrName}/participants/{callSid}/speech</c>):
    /// <c>participant-speech-start</c>/<c>-stop</c> when the room subscribed <c>speaker</c>. Throws
    /// <see cref="KeyNotFoundException"/> when the conference or the participant (present in it) is unknown.
    /// </summary>
    public void SetSpeaking(string sidOrName, string callSid, bool speaking, string? accountSid = null)
    {
        if (!_conferences.Speak(accountSid ?? _accountSid, sidOrName, callSid, speaking))
        {
            throw new KeyNotFoundException($"No participant {callSid} in a conference {sidOrName}");
        }
    }

    /// <summary>Waits (real time) until no webhook is queued or in flight; false on timeout.</summary>
    public Task<bool> WhenWebhooksIdleAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _webhooks.WhenIdleAsync(timeout ?? TimeSpan.FromSeconds(10), cancellationToken);
}
