using System.Net;
using System.Net.Http.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>With its PostgreSQL stopped, the API says "try again" (503, problem+json, Retry-After), never 500.</summary>
public sealed class ApiOutageSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private IPostgresServer _postgres = null!;
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await TestInfrastructure.StartPostgresServer();
        _mesh = await Mesh.Start(await infrastructure.CreateVirtualHostAsync(), _postgres.ConnectionString, otherServices: Mesh.CallsAlone);
    }

    public async ValueTask DisposeAsync()
    {
        await _mesh.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task While_postgres_is_down_the_api_answers_503_with_problem_details_and_afterwards_404_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var callSid = Mesh.NewCallSid();
        await _postgres.StopAsync();
        try
        {
            foreach (var request in new Func<HttpRequestMessage>[]
                     {
                         () => new(HttpMethod.Get, $"/api/calls/{callSid}"),
                         () => new(HttpMethod.Get, "/api/calls/requests/some-request"),
                         () => new(HttpMethod.Post, $"/api/calls/{callSid}/hangup"),
                         () => new(HttpMethod.Post, $"/api/calls/{callSid}/redirect") { Content = JsonContent.Create(new { twiml = "<Response/>" }) },
                     })
            {
                using var sent = request();
                using var response = await _mesh.Client.SendAsync(sent, ct);

                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{sent.Method} {sent.RequestUri}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        finally
        {
            await _postgres.StartAsync();
        }

        using var after = await _mesh.Client.GetAsync($"/api/calls/{callSid}", ct);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }
}
