using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;
using CallRecording = Twilio.Rest.Api.V2010.Account.Call.RecordingResource;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// What the Recordings service makes of a Twilio that misbehaves, with real PostgreSQL, RabbitMQ and filesystem
/// storage and the service as a process: recordings are started on a live simulator call through the Call Recordings
/// API, their media is corrupted, withheld, replaced by an HTML page or slowed down by the simulator, and then they are
/// stopped, so Twilio's <c>completed</c> callback goes through the gateway to the service.
/// </summary>
public sealed class RecordingFaultSpecs(MeshFixture fixture) : IClassFixture<MeshFixture>
{
    private const long HundredMegabytes = 100 * 1024 * 1024;
    private Mesh Mesh => fixture.Mesh;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServiceProcess Recordings => Mesh.Services["recordings"];

    /// <summary>A live call at the simulator with a recording started on it, whose callbacks go to the gateway.</summary>
    private async Task<(string CallSid, string RecordingSid)> StartRecordingAsync()
    {
        var to = "+1415556" + RandomNumberGenerator.GetInt32(1000, 10_000).ToString(CultureInfo.InvariantCulture);
        Mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, RingSeconds = 1, TalkSeconds = 100_000 });
        var twilio = Mesh.Simulator.CreateTwilioClient();
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber("+15005550006"), twiml: new Twiml("<Response><Pause length=\"3600\"/></Response>"),
            client: twilio);
        var answered = Stopwatch.StartNew();
        while ((await CallResource.FetchAsync(call.Sid, client: twilio)).Status != CallResource.StatusEnum.InProgress)
        {
            Assert.True(answered.Elapsed < TimeSpan.FromSeconds(30), $"call {call.Sid} was not answered");
            await Task.Delay(50, Ct);
        }

        var recording = await CallRecording.CreateAsync(
            call.Sid, recordingStatusCallback: new Uri(Mesh.PublicBaseUrl + "/twilio/recording/status"), client: twilio);
        return (call.Sid, recording.Sid);
    }

    /// <summary>Stops the recording: Twilio completes it and reports it to the gateway.</summary>
    private async Task StopAsync(string callSid, string recordingSid) =>
        await CallRecording.UpdateAsync(callSid, recordingSid, CallRecording.StatusEnum.Stopped, client: Mesh.Simulator.CreateTwilioClient());

    private async Task<JsonElement> WaitForRecording(string recordingSid, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var last = "";
        while (deadline.Elapsed < timeout)
        {
            using var response = await Mesh.Client.GetAsync($"/api/recordings/{recordingSid}", Ct);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}";
            if (response.StatusCode == HttpStatusCode.OK
                && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(Ct)) is var recording && done(recording))
            {
                return recording;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"Recording {recordingSid} did not reach the expected state within {timeout}; last seen: {last}\n{Recordings.RecentOutput}");
    }

    private static bool Is(JsonElement recording, string status) => recording.GetProperty("status").GetString() == status;

    private IReadOnlyList<MediaDownload> Downloads(string recordingSid) =>
        [.. Mesh.Simulator.Control.MediaDownloads.Where(d => d.RecordingSid == recordingSid)];

    private async Task<IReadOnlyList<MediaDownload>> WaitForDownloads(string recordingSid, Func<IReadOnlyList<MediaDownload>, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (Downloads(recordingSid) is var downloads && done(downloads))
            {
                return downloads;
            }

            await Task.Delay(20, Ct);
        }

        throw new TimeoutException($"The media downloads of {recordingSid} did not reach the expected state within {timeout}: "
            + string.Join(", ", Downloads(recordingSid)) + "\n" + Recordings.RecentOutput);
    }

    /// <summary>Whether the simulator still holds the recording (Twilio's copy was not deleted).</summary>
    private async Task<bool> HeldAtTwilio(string recordingSid)
    {
        try
        {
            await RecordingResource.FetchAsync(recordingSid, client: Mesh.Simulator.CreateTwilioClient());
            return true;
        }
        catch (Twilio.Exceptions.ApiException e) when (e.Status == 404)
        {
            return false;
        }
    }

    private int DeletesAtTwilio(string recordingSid) => Mesh.Simulator.Control.Requests.Count(r =>
        r.Method == "DELETE" && r.Path.EndsWith($"/Recordings/{recordingSid}.json", StringComparison.Ordinal));

    /// <summary>The files in the call's storage folder (the blob, its side-car, any temporary file).</summary>
    private string[] StoredFiles(string callSid)
    {
        var folder = Path.Combine(Mesh.RecordingsDirectory, Mesh.AccountSid, callSid);
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];
    }

    [Fact]
    public async Task A_download_whose_size_disagrees_with_its_header_is_retried_never_archived_and_twilio_keeps_the_copy_until_the_fault_clears()
    {
        var (callSid, recordingSid) = await StartRecordingAsync();
        Mesh.Simulator.Control.SetRecordingMedia(recordingSid, new RecordingMediaSettings
        {
            DurationSeconds = 3,
            Fault = new MediaFault { Kind = MediaFaultKind.LongerThanHeader },
        });
        await StopAsync(callSid, recordingSid);

        await WaitForDownloads(recordingSid, d => d.Count(x => x.Outcome is not null) >= 2, TimeSpan.FromSeconds(60));
        var corrupt = await WaitForRecording(recordingSid, r => Is(r, "failed"), TimeSpan.FromSeconds(10));
        var heldWhileCorrupt = await HeldAtTwilio(recordingSid);
        var storedWhileCorrupt = StoredFiles(callSid);
        Mesh.Simulator.Control.SetRecordingMedia(recordingSid, new RecordingMediaSettings { DurationSeconds = 3 });
        var archived = await WaitForRecording(
            recordingSid, r => Is(r, "archived") && r.GetProperty("deletedAtTwilio").GetBoolean(), TimeSpan.FromSeconds(60));

        Assert.Contains("RIFF header", corrupt.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, corrupt.GetProperty("sha256").ValueKind);
        Assert.True(heldWhileCorrupt, "Twilio's copy was deleted while the download was corrupt");
        Assert.Empty(storedWhileCorrupt);
        var downloads = Downloads(recordingSid);
        var clean = Assert.Single(downloads, d => d.Fault is null);
        Assert.Equal(clean, downloads[^1]);
        Assert.True(downloads.Count(d => d.Fault == MediaFaultKind.LongerThanHeader) >= 2, "the corrupt download was not retried");
        Assert.Equal(clean.Sha256, archived.GetProperty("sha256").GetString());
        Assert.Equal(clean.ContentLength, archived.GetProperty("sizeBytes").GetInt64());
        Assert.Equal([recordingSid + ".wav", recordingSid + ".wav.json"], StoredFiles(callSid));
        Assert.Equal(1, DeletesAtTwilio(recordingSid));
        Assert.False(await HeldAtTwilio(recordingSid));
    }

    [Fact]
    public async Task An_html_error_page_served_as_the_media_is_refused_never_archived_and_twilio_keeps_the_copy()
    {
        var (callSid, recordingSid) = await StartRecordingAsync();
        Mesh.Simulator.Control.SetRecordingMedia(recordingSid, new RecordingMediaSettings
        {
            DurationSeconds = 3,
            Fault = new MediaFault { Kind = MediaFaultKind.Html },
        });
        await StopAsync(callSid, recordingSid);

        var failed = await WaitForRecording(recordingSid, r => Is(r, "failed"), TimeSpan.FromSeconds(60));
        // The shared policy retries four times (0.1, 0.5, 1, 2 s) and then dead-letters the command: wait past that.
        var tried = await WaitForDownloads(recordingSid, d => d.Count >= 5, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(5), Ct);

        Assert.Contains("not audio", failed.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        Assert.All(tried, d => Assert.Equal((MediaFaultKind.Html, 200), (d.Fault, d.StatusCode)));
        Assert.Equal(5, Downloads(recordingSid).Count);
        var final = await WaitForRecording(recordingSid, r => true, TimeSpan.FromSeconds(5));
        Assert.True(Is(final, "failed"), final.ToString());
        Assert.Equal(JsonValueKind.Null, final.GetProperty("blobUri").ValueKind);
        Assert.True(await HeldAtTwilio(recordingSid), "Twilio's copy was deleted although nothing was archived");
        Assert.Equal(0, DeletesAtTwilio(recordingSid));
        Assert.Empty(StoredFiles(callSid));
        using var media = await Mesh.Client.GetAsync($"/api/recordings/{recordingSid}/media", Ct);
        Assert.Equal(HttpStatusCode.NotFound, media.StatusCode);
    }

    [Fact]
    public async Task Media_twilio_answers_404_for_before_it_is_ready_is_retried_and_then_archived()
    {
        var (callSid, recordingSid) = await StartRecordingAsync();
        Mesh.Simulator.Control.SetRecordingMedia(recordingSid, new RecordingMediaSettings
        {
            DurationSeconds = 3,
            Fault = new MediaFault { Kind = MediaFaultKind.NotFound, Count = 2 },
        });
        await StopAsync(callSid, recordingSid);

        var archived = await WaitForRecording(
            recordingSid, r => Is(r, "archived") && r.GetProperty("deletedAtTwilio").GetBoolean(), TimeSpan.FromSeconds(60));

        var downloads = Downloads(recordingSid);
        Assert.Equal([404, 404, 200], downloads.Select(d => d.StatusCode));
        Assert.Equal(downloads[2].Sha256, archived.GetProperty("sha256").GetString());
        Assert.Equal(44 + (3 * 8000 * 2), archived.GetProperty("sizeBytes").GetInt64());
        Assert.Equal([recordingSid + ".wav", recordingSid + ".wav.json"], StoredFiles(callSid));
    }

    [Fact]
    public async Task A_body_cut_short_of_its_content_length_is_recorded_failed_and_retried_until_it_comes_whole()
    {
        var (callSid, recordingSid) = await StartRecordingAsync();
        Mesh.Simulator.Control.SetRecordingMedia(recordingSid, new RecordingMediaSettings
        {
            DurationSeconds = 3,
            Fault = new MediaFault { Kind = MediaFaultKind.Truncated },
        });
        await StopAsync(callSid, recordingSid);

        await WaitForDownloads(recordingSid, d => d.Count(x => x.Outcome is not null) >= 2, TimeSpan.FromSeconds(60));
        var cutShort = await WaitForRecording(recordingSid, r => Is(r, "failed"), TimeSpan.FromSeconds(10));
        var heldWhileCutShort = await HeldAtTwilio(recordingSid);
        var storedWhileCutShort = StoredFiles(callSid);
        Mesh.Simulator.Control.SetRecordingMedia(recordingSid, new RecordingMediaSettings { DurationSeconds = 3 });
        var archived = await WaitForRecording(
            recordingSid, r => Is(r, "archived") && r.GetProperty("deletedAtTwilio").GetBoolean(), TimeSpan.FromSeconds(60));

        Assert.StartsWith("The media ended after 24022 bytes; the response declared 48044", cutShort.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        Assert.True(heldWhileCutShort, "Twilio's copy was deleted while the download was cut short");
        Assert.Empty(storedWhileCutShort);
        var downloads = Downloads(recordingSid);
        Assert.All(downloads.SkipLast(1), d => Assert.Equal(MediaDownloadOutcome.Truncated, d.Outcome));
        Assert.Equal(MediaDownloadOutcome.Completed, downloads[^1].Outcome);
        Assert.Equal(downloads[^1].Sha256, archived.GetProperty("sha256").GetString());
        Assert.Equal([recordingSid + ".wav", recordingSid + ".wav.json"], StoredFiles(callSid));
    }

    [Fact]
    public async Task Killing_the_service_mid_way_through_a_100_MB_download_and_restarting_it_archives_one_verified_copy_once()
    {
        var (callSid, recordingSid) = await StartRecordingAsync();
        Mesh.Simulator.Control.SetRecordingMedia(recordingSid, new RecordingMediaSettings
        {
            SizeBytes = HundredMegabytes,
            BytesPerSecond = 25_000_000,
        });
        await StopAsync(callSid, recordingSid);

        await WaitForDownloads(recordingSid, d => d.Count == 1 && d[0].BytesSent >= 20_000_000, TimeSpan.FromSeconds(60));
        Recordings.Kill();
        var interrupted = (await WaitForDownloads(recordingSid, d => d[0].Outcome is not null, TimeSpan.FromSeconds(10)))[0];
        var leftByTheCrash = StoredFiles(callSid);
        var archivedBeforeTheCrash = Recordings.Wrote($"Recording {recordingSid} archived");
        var restarted = Stopwatch.StartNew();
        await Recordings.StartAsync();
        var archived = await WaitForRecording(
            recordingSid, r => Is(r, "archived") && r.GetProperty("deletedAtTwilio").GetBoolean(), TimeSpan.FromSeconds(120));
        var recovery = restarted.Elapsed;

        Assert.Equal(MediaDownloadOutcome.Aborted, interrupted.Outcome);
        Assert.InRange(interrupted.BytesSent, 20_000_000, HundredMegabytes - 1);
        Assert.Contains("." + recordingSid + ".wav.tmp", leftByTheCrash);
        Assert.DoesNotContain(recordingSid + ".wav", leftByTheCrash);
        Assert.False(archivedBeforeTheCrash);

        var completed = Assert.Single(Downloads(recordingSid), d => d.Outcome == MediaDownloadOutcome.Completed);
        Assert.Equal((HundredMegabytes, HundredMegabytes), (completed.ContentLength, completed.BytesSent));
        Assert.Equal(HundredMegabytes, archived.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(completed.Sha256, archived.GetProperty("sha256").GetString());
        Assert.Equal([recordingSid + ".wav", recordingSid + ".wav.json"], StoredFiles(callSid));
        var blob = new Uri(archived.GetProperty("blobUri").GetString()!).LocalPath;
        Assert.Equal(HundredMegabytes, new FileInfo(blob).Length);
        await using (var file = File.OpenRead(blob))
        {
            Assert.Equal(completed.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(file, Ct)));
        }

        Assert.Equal(1, Recordings.OutputLines.Count(l => l.Contains($"Recording {recordingSid} archived", StringComparison.Ordinal)));
        Assert.Equal(1, DeletesAtTwilio(recordingSid));
        TestContext.Current.TestOutputHelper?.WriteLine($"100 MB crash recovery: killed after {interrupted.BytesSent:N0} bytes, archived {recovery.TotalSeconds:F1} s after the restart began");
    }
}
