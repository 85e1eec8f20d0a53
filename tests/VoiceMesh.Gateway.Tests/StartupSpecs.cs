using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>
/// The gateway as its own process, as an operator starts it: WebApplicationFactory cannot observe a host that fails
/// to start (its deferred host may read the already disposed container and report that instead of the cause).
/// </summary>
public sealed class StartupSpecs
{
    [Theory]
    [InlineData("Twilio__AuthToken", "Twilio:AuthToken", "TWILIO_AUTH_TOKEN")]
    [InlineData("Gateway__PublicBaseUrl", "Gateway:PublicBaseUrl", "Gateway__PublicBaseUrl")]
    public async Task The_gateway_refuses_to_start_without_a_setting_naming_it(string variable, string key, string environmentName)
    {
        var environment = new Dictionary<string, string>
        {
            ["Twilio__AccountSid"] = "AC" + new string('1', 32),
            ["Twilio__AuthToken"] = GatewayApplication.AuthToken,
            ["Gateway__PublicBaseUrl"] = GatewayApplication.PublicBaseUrl,
            ["Gateway__ApiKeys__0"] = GatewayApplication.ApiKey,
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
        };
        environment[variable] = "";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ServiceProcess.Start("VoiceMesh.Gateway", environment));

        Assert.Contains("exited with", error.Message, StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(environmentName, error.Message, StringComparison.Ordinal);
    }
}
