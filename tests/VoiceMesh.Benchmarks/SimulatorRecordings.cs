using System.Diagnostics;
using System.Globalization;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;
using CallRecording = Twilio.Rest.Api.V2010.Account.Call.RecordingResource;

namespace VoiceMesh.Benchmarks;

/// <summary>A recording running on a live call at the simulator.</summary>
internal sealed record LiveRecording(string CallSid, string RecordingSid);

/// <summary>
/// Recordings at the Twilio simulator, made as a deployment gets them: a call in progress, a recording started on it
/// through the Call Recordings API (with the gateway's <c>/twilio/recording/status</c> as its status callback, or
/// none), its media sized by the simulator (a tone generated while it is sent), then stopped, which completes it and
/// makes Twilio send its <c>completed</c> callback at once.
/// </summary>
internal sealed class SimulatorRecordings
{
    /// <summary>Numbers the benchmark's calls go to; one outcome rule answers them all and keeps them talking.</summary>
    private const string NumberPrefix = "+1415559";

    /// <summary>REST requests to the simulator in flight at once while recordings are prepared or stopped.</summary>
    private const int Parallelism = 16;

    private static readonly TimeSpan AnswerPatience = TimeSpan.FromSeconds(30);

    private readonly Mesh _mesh;
    private readonly Twilio.Clients.ITwilioRestClient _twilio;
    private int _calls;

    public SimulatorRecordings(Mesh mesh)
    {
        _mesh = mesh;
        _twilio = mesh.Simulator.CreateTwilioClient();
        // 100,000 simulated seconds of talk at the mesh's time scale (0.01) outlast any scenario.
        mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = NumberPrefix + "*", Outcome = CallOutcomeKind.Human, RingSeconds = 1, TalkSeconds = 100_000 });
    }

    /// <summary>The media URL a recording's callback names, with the extension the Recordings service requests, on the simulator.</summary>
    public Uri MediaUri(string recordingSid) =>
        new(_mesh.Simulator.BaseAddress, $"/2010-04-01/Accounts/{Mesh.AccountSid}/Recordings/{recordingSid}.wav");

    /// <summary>
    /// Starts <paramref name="count"/> recordings of <paramref name="sizeBytes"/> each, one per new call; with
    /// <paramref name="reported"/> their callbacks go through the gateway to the Recordings service, otherwise nobody
    /// hears of them.
    /// </summary>
    public async Task<IReadOnlyList<LiveRecording>> Start(int count, long sizeBytes, bool reported, CancellationToken cancellationToken)
    {
        var recordings = new LiveRecording[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            recordings[i] = await StartOne(sizeBytes, reported, ct);
        });
        return recordings;
    }

    /// <summary>
    /// Stops every recording, <see cref="Parallelism"/> at a time: each is completed and, if reported, called back at
    /// once. Returns when each stop request was sent.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> Stop(IEnumerable<LiveRecording> recordings, CancellationToken cancellationToken)
    {
        var stopped = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(recordings, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (recording, _) =>
        {
            stopped[recording.RecordingSid] = DateTimeOffset.UtcNow;
            await CallRecording.UpdateAsync(recording.CallSid, recording.RecordingSid, CallRecording.StatusEnum.Stopped, client: _twilio);
        });
        return stopped;
    }

    /// <summary>When the gateway answered each recording's <c>completed</c> callback with a 2xx (the simulator logs an attempt as its answer arrives).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> CallbacksAnswered(IReadOnlySet<string> recordingSids) =>
        _mesh.Simulator.Control.Webhooks
            .Where(w => w.Kind == "recording" && w.ResponseStatus is >= 200 and < 300
                && w.Parameters.TryGetValue("RecordingSid", out var sid) && recordingSids.Contains(sid))
            .GroupBy(w => w.Parameters["RecordingSid"], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(w => w.Time), StringComparer.Ordinal);

    /// <summary>The media the simulator served for a recording completely (status 200, every byte sent).</summary>
    public IReadOnlyList<MediaDownload> CompletedDownloads(string recordingSid) =>
        [.. _mesh.Simulator.Control.MediaDownloads.Where(d => d.RecordingSid == recordingSid && d.StatusCode == 200 && d.Outcome == MediaDownloadOutcome.Completed)];

    private async Task<LiveRecording> StartOne(long sizeBytes, bool reported, CancellationToken cancellationToken)
    {
        var to = NumberPrefix + Interlocked.Increment(ref _calls).ToString("D4", CultureInfo.InvariantCulture);
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber("+15005550006"), twiml: new Twiml("<Response><Pause length=\"3600\"/></Response>"),
            client: _twilio);
        var answered = Stopwatch.StartNew();
        while ((await CallResource.FetchAsync(call.Sid, client: _twilio)).Status != CallResource.StatusEnum.InProgress)
        {
            if (answered.Elapsed > AnswerPatience)
            {
                throw new TimeoutException($"The simulator did not answer call {call.Sid} within {AnswerPatience.TotalSeconds:F0} s.");
            }

            await Task.Delay(20, cancellationToken);
        }

        var recording = await CallRecording.CreateAsync(
            call.Sid,
            recordingStatusCallback: reported ? new Uri(Mesh.PublicBaseUrl + "/twilio/recording/status") : null,
            client: _twilio);
        _mesh.Simulator.Control.SetRecordingMedia(recording.Sid, new RecordingMediaSettings { SizeBytes = sizeBytes });
        return new LiveRecording(call.Sid, recording.Sid);
    }
}
