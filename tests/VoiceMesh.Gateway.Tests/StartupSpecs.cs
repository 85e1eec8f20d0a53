using Microsoft.Extensions.Options;

namespace VoiceMesh.Gateway.Tests;

public sealed class StartupSpecs
{
    [Theory]
    [InlineData("Twilio:AuthToken", "TWILIO_AUTH_TOKEN")]
    [InlineData("Gateway:PublicBaseUrl", "Gateway__PublicBaseUrl")]
    public void The_gateway_refuses_to_start_without_a_setting_naming_it(string key, string environmentName)
    {
        using var app = new GatewayApplication().With(key, "");

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(environmentName, error.Message, StringComparison.Ordinal);
    }
}
