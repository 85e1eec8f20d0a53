using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.MediaStreams;

namespace VoiceMesh.IntegrationTests;

/// <summary>One mesh (gateway, every service, the simulator) shared by a Media Streams spec class, and its helpers.</summary>
public sealed class MediaStreamMesh(TestInfrastructure infrastructure) : IAsyncLifetime
{
    public const string StreamUrl = "wss://voice.example.test/twilio/media";

    public Mesh Mesh { get; private set; } = null!;

    public string VirtualHost { get; private set; } = "";

    public TestInfrastructure Infrastructure => infrastructure;

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        VirtualHost = new Uri(uri).AbsolutePath.Trim('/');
        Mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString);
    }

    public async ValueTask DisposeAsync() => await Mesh.DisposeAsync();

    /// <summary>The gateway's WebSocket address for Media Streams.</summary>
    public Uri GatewayMedia => new UriBuilder(Mesh.Gateway.BaseAddress) { Scheme = "ws", Path = "/twilio/media" }.Uri;

    public MediaStreamTarget Target(string? callSid = null) => new()
    {
        StreamUrl = StreamUrl,
        ConnectTo = GatewayMedia,
        AuthToken = Mesh.AuthToken,
        AccountSid = Mesh.AccountSid,
        CallSid = callSid ?? Mesh.NewCallSid(),
    };

    /// <summary>A WebSocket to the gateway signed as Twilio signs it (or not at all).</summary>
    public async Task<ClientWebSocket> Connect(bool signature = true, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (signature)
        {
            socket.Options.SetRequestHeader("X-Twilio-Signature", TwilioSignature.Compute(Mesh.AuthToken, StreamUrl, []));
        }

        await socket.ConnectAsync(GatewayMedia, cancellationToken);
        return socket;
    }

    /// <summary>Polls <c>GET /api/media-streams/{streamSid}</c> through the gateway until <paramref name="done"/> holds.</summary>
    public async Task<JsonElement> WaitForStream(string streamSid, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Mesh.Client.GetAsync($"/api/media-streams/{streamSid}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.IsSuccessStatusCode && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()) is var stream && done(stream))
            {
                return stream;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Stream {streamSid} did not reach the expected state within {timeout}; last seen: {last}\n"
            + Mesh.Services["mediastreams"].RecentOutput);
    }

    public static bool IsClosed(JsonElement stream) => stream.GetProperty("status").GetString() == "closed";

    /// <summary>Connections the MediaStreams service holds open right now.</summary>
    public async Task<int> LiveConnections(CancellationToken cancellationToken) =>
        (await Mesh.Client.GetFromJsonAsync<JsonElement>("/api/media-streams/live", cancellationToken)).GetProperty("connections").GetInt32();
}
