using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A call placed with <c>Record=true</c> leaves a recording at the simulator; its status callback goes through the
/// gateway to the Recordings service, which archives the media to its storage backend, verifies and hashes it, deletes
/// it at Twilio, and serves it back. The scenario runs once per backend (filesystem, Azurite, s3rver), each class
/// starting the mesh once with its <c>BlobStorage__*</c> settings.
/// </summary>
public abstract class RecordingArchiveSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;

    protected Mesh Mesh => _mesh;

    protected TestInfrastructure Infrastructure => infrastructure;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The Recordings service's <c>BlobStorage__*</c> environment; empty for the filesystem default.</summary>
    protected abstract Task<Dictionary<string, string>> StorageSettings();

    /// <summary>The blob URI the archive must report for a recording.</summary>
    protected abstract Uri ExpectedBlobUri(string key);

    /// <summary>The archived bytes, read from the store itself rather than through the service.</summary>
    protected abstract Task<byte[]> ReadFromStore(string key);

    public async ValueTask InitializeAsync() =>
        _mesh = await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString, serviceSettings: await StorageSettings());

    public async ValueTask DisposeAsync()
    {
        await Mesh.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected static string NewRecordingSid() => "RE" + Guid.NewGuid().ToString("N");

    protected async Task<JsonElement> WaitForRecording(string recordingSid, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Mesh.Client.GetAsync($"/api/recordings/{recordingSid}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == HttpStatusCode.OK
                && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()) is var recording && done(recording))
            {
                return recording;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Recording {recordingSid} did not reach the expected state within {timeout}; last seen: {last}\n"
            + Mesh.Services["recordings"].RecentOutput);
    }

    protected static bool Is(JsonElement recording, string status) => recording.GetProperty("status").GetString() == status;

    private async Task<string> RecordingSidOf(string callSid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Mesh.Simulator.Control.Webhooks.FirstOrDefault(w => w.Kind == "recording" && w.CallSid == callSid) is { } callback)
            {
                return callback.Parameters["RecordingSid"];
            }

            await Task.Delay(100);
        }

        var call = await CallResource.FetchAsync(callSid, client: Mesh.Simulator.CreateTwilioClient());
        throw new TimeoutException($"The simulator sent no recording callback for call {callSid} ({call.Status}, {call.Duration} s); it sent "
            + string.Join(", ", Mesh.Simulator.Control.Webhooks.Where(w => w.CallSid == callSid).Select(w => w.Kind + " " + w.Url)));
    }

    [Fact]
    public async Task A_recorded_call_is_archived_byte_identical_then_deleted_at_twilio_and_served_back_through_the_gateway()
    {
        const string to = "+14155550177";
        // 200 simulated seconds of talk at the mesh's time scale (0.01) are 2 s of real time: a 2 s recording.
        Mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, RingSeconds = 1, TalkSeconds = 200 });
        var requestId = await Mesh.Place(new { to, twiml = "<Response><Pause length=\"200\"/></Response>", record = true });
        var placement = await Mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(60));
        var callSid = placement.GetProperty("callSid").GetString()!;
        var recordingSid = await RecordingSidOf(callSid, TimeSpan.FromSeconds(60));

        var recording = await WaitForRecording(
            recordingSid, r => Is(r, "archived") && r.GetProperty("deletedAtTwilio").GetBoolean(), TimeSpan.FromSeconds(60));

        var tone = WavAudio.Tone(recording.GetProperty("durationSeconds").GetInt32());
        var simulatorWav = new byte[tone.Length];
        tone.Fill(0, simulatorWav);
        Assert.Equal(callSid, recording.GetProperty("callSid").GetString());
        Assert.Equal(simulatorWav.Length, recording.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(simulatorWav)), recording.GetProperty("sha256").GetString());
        var key = $"{Mesh.AccountSid}/{callSid}/{recordingSid}.wav";
        Assert.Equal(ExpectedBlobUri(key), new Uri(recording.GetProperty("blobUri").GetString()!));
        Assert.Equal(simulatorWav, await ReadFromStore(key));

        var gone = await Assert.ThrowsAsync<ApiException>(() =>
            RecordingResource.FetchAsync(recordingSid, client: Mesh.Simulator.CreateTwilioClient()));
        Assert.Equal(404, gone.Status);

        using var media = await Mesh.Client.GetAsync($"/api/recordings/{recordingSid}/media", Ct);
        Assert.Equal(HttpStatusCode.OK, media.StatusCode);
        Assert.Equal("audio/wav", media.Content.Headers.ContentType?.MediaType);
        Assert.Equal(simulatorWav, await media.Content.ReadAsByteArrayAsync(Ct));

        using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/recordings/{recordingSid}/media");
        range.Headers.Range = new RangeHeaderValue(0, 11);
        using var header = await Mesh.Client.SendAsync(range, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, header.StatusCode);
        Assert.Equal(simulatorWav[..12], await header.Content.ReadAsByteArrayAsync(Ct));
    }
}

/// <summary>
/// The filesystem backend (the default), plus what does not depend on the backend: callbacks refused at the gateway,
/// media Twilio does not serve, and media URLs on foreign hosts.
/// </summary>
public sealed class FileSystemRecordingArchiveSpecs(TestInfrastructure infrastructure) : RecordingArchiveSpecs(infrastructure)
{
    protected override Task<Dictionary<string, string>> StorageSettings() => Task.FromResult(new Dictionary<string, string>());

    protected override Uri ExpectedBlobUri(string key) => new(Path.Combine(Mesh.RecordingsDirectory, key));

    protected override Task<byte[]> ReadFromStore(string key) => File.ReadAllBytesAsync(Path.Combine(Mesh.RecordingsDirectory, key), Ct);

    [Fact]
    public async Task A_malformed_recording_callback_gets_400_and_no_recording_is_known()
    {
        var recordingSid = NewRecordingSid();

        using var response = await Mesh.PostTwilio("/twilio/recording/status",
        [
            new("AccountSid", Mesh.AccountSid),
            new("CallSid", Mesh.NewCallSid()),
            new("RecordingSid", recordingSid),
            new("RecordingUrl", $"https://api.twilio.com/2010-04-01/Accounts/{Mesh.AccountSid}/Recordings/{recordingSid}"),
        ], Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"RecordingStatus\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        await Task.Delay(1000, Ct);
        using var unknown = await Mesh.Client.GetAsync($"/api/recordings/{recordingSid}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Media_twilio_does_not_serve_is_recorded_failed_retried_and_never_archived()
    {
        var recordingSid = NewRecordingSid();

        using var response = await Mesh.DeliverTwilio("/twilio/recording/status",
        [
            new("AccountSid", Mesh.AccountSid),
            new("CallSid", Mesh.NewCallSid()),
            new("RecordingDuration", "4"),
            new("RecordingSid", recordingSid),
            new("RecordingStatus", "completed"),
            new("RecordingUrl", $"https://api.twilio.com/2010-04-01/Accounts/{Mesh.AccountSid}/Recordings/{recordingSid}"),
        ], Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var recording = await WaitForRecording(recordingSid, r => Is(r, "failed"), TimeSpan.FromSeconds(60));

        Assert.Contains("404", recording.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(5), Ct);
        Assert.True(
            Mesh.Simulator.Control.Requests.Count(r => r.Path.EndsWith($"/Recordings/{recordingSid}.wav", StringComparison.Ordinal)) > 1,
            "the download was not retried");
        recording = await WaitForRecording(recordingSid, r => Is(r, "failed"), TimeSpan.FromSeconds(5));
        Assert.Equal(JsonValueKind.Null, recording.GetProperty("sha256").ValueKind);
        Assert.False(Directory.Exists(Mesh.RecordingsDirectory) && Directory.EnumerateFiles(Mesh.RecordingsDirectory, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_recording_url_on_a_foreign_host_is_recorded_failed_and_never_fetched()
    {
        using var foreign = new TcpListener(IPAddress.Loopback, 0);
        foreign.Start();
        var port = ((IPEndPoint)foreign.LocalEndpoint).Port;
        var recordingSid = NewRecordingSid();

        using var response = await Mesh.DeliverTwilio("/twilio/recording/status",
        [
            new("AccountSid", Mesh.AccountSid),
            new("CallSid", Mesh.NewCallSid()),
            new("ErrorCode", "0"),
            new("RecordingChannels", "1"),
            new("RecordingDuration", "4"),
            new("RecordingSid", recordingSid),
            new("RecordingSource", "OutboundAPI"),
            new("RecordingStatus", "completed"),
            new("RecordingUrl", $"http://127.0.0.1:{port}/2010-04-01/Accounts/{Mesh.AccountSid}/Recordings/{recordingSid}"),
        ], Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var recording = await WaitForRecording(recordingSid, r => Is(r, "failed"), TimeSpan.FromSeconds(60));

        Assert.Contains("not Twilio's media host", recording.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, recording.GetProperty("blobUri").ValueKind);
        Assert.False(foreign.Pending(), "the archiver connected to the foreign host");
        Assert.False(Directory.Exists(Mesh.RecordingsDirectory) && Directory.EnumerateFiles(Mesh.RecordingsDirectory, "*", SearchOption.AllDirectories).Any());
    }
}
