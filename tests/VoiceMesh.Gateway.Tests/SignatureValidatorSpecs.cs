using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>Twilio's published test vectors (token 12345) and one-character tampering of each input.</summary>
public sealed class SignatureValidatorSpecs
{
    private const string Token = "12345";
    private const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";

    private static readonly Dictionary<string, StringValues> DocsParams = new(StringComparer.Ordinal)
    {
        ["CallSid"] = "CA1234567890ABCDE",
        ["Caller"] = "+12349013030",
        ["Digits"] = "1234",
        ["From"] = "+12349013030",
        ["To"] = "+18005551212",
    };

    private static readonly Dictionary<string, StringValues> SdkParams = new(DocsParams, StringComparer.Ordinal)
    {
        ["Caller"] = "+14158675309",
        ["From"] = "+14158675309",
    };

    private static readonly string Account = "AC" + new string('0', 32);

    private static TwilioSignatureValidator Validator(string token = Token, string? secondary = null, params string[] trustedProxies)
    {
        var gateway = Options.Create(new GatewayOptions { PublicBaseUrl = "https://voice.example.com" });
        foreach (var proxy in trustedProxies)
        {
            gateway.Value.TrustedProxies.Add(proxy);
        }

        var twilio = Options.Create(new TwilioOptions { AccountSid = Account, AuthToken = token, SecondaryAuthToken = secondary });
        return new TwilioSignatureValidator(gateway, new TwilioAccounts(gateway, twilio));
    }

    [Fact]
    public void The_docs_worked_example_validates() =>
        Assert.True(Validator().IsValid(Url, DocsParams, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", Account));

    [Theory]
    [InlineData(Url, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    [InlineData(Url, "kvajT1Ptam85bY51eRf/AJRuM3w=")]
    [InlineData("http://mycompany.com/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4=")]
    [InlineData("https://mycompany.com:1234/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    [InlineData("https://mycompany.com:1234/myapp.php?foo=1&bar=2", "CYn1h0gLBdNxDGkKJg6hYohgeD8=")]
    [InlineData("http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")]
    [InlineData("https://MyCompany.com/myapp.php?foo=1&bar=2", "g9IN/x4Cft2g517EjYvEvM/W7LU=")]
    [InlineData("https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "CukzLTc1tT5dXEDIHm/tKBanW10=")]
    [InlineData("https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=")]
    [InlineData("https://user@mycompany.com/myapp.php?foo=1&bar=2", "2YRLlVAflCqxaNicjMpJcSTgzSs=")]
    public void The_sdk_test_vectors_validate_with_and_without_the_default_port(string url, string signature) =>
        Assert.True(Validator().IsValid(url, SdkParams, signature, Account));

    [Fact]
    public void A_lower_cased_host_does_not_validate_a_signature_over_the_original_casing() =>
        Assert.False(Validator().IsValid(Url, SdkParams, "g9IN/x4Cft2g517EjYvEvM/W7LU=", Account));

    [Fact]
    public void A_one_character_change_of_any_parameter_name_or_value_is_rejected()
    {
        var validator = Validator();
        foreach (var name in SdkParams.Keys)
        {
            var changedValue = new Dictionary<string, StringValues>(SdkParams, StringComparer.Ordinal) { [name] = SdkParams[name] + "0" };
            Assert.False(validator.IsValid(Url, changedValue, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", Account), $"value of {name}");

            var renamed = new Dictionary<string, StringValues>(SdkParams, StringComparer.Ordinal);
            renamed.Remove(name);
            renamed[name + "x"] = SdkParams[name];
            Assert.False(validator.IsValid(Url, renamed, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", Account), $"name of {name}");
        }
    }

    [Fact]
    public void A_one_character_change_of_the_url_is_rejected()
    {
        var validator = Validator();
        for (var i = 0; i < Url.Length; i++)
        {
            var changed = Url[..i] + (Url[i] == 'x' ? 'y' : 'x') + Url[(i + 1)..];
            Assert.False(validator.IsValid(changed, SdkParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", Account), changed);
        }
    }

    [Fact]
    public void A_one_character_change_of_the_token_is_rejected() =>
        Assert.False(Validator("12346").IsValid(Url, SdkParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", Account));

    [Fact]
    public void A_request_signed_with_the_secondary_token_is_accepted_during_rotation()
    {
        var form = SdkParams.Select(p => KeyValuePair.Create(p.Key, p.Value.ToString())).ToList();
        var signedWithNew = TwilioSignature.Compute("new-token", Url, form);

        Assert.True(Validator(Token, secondary: "new-token").IsValid(Url, SdkParams, signedWithNew, Account));
        Assert.True(Validator(Token, secondary: "new-token").IsValid(Url, SdkParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", Account));
        Assert.False(Validator(Token).IsValid(Url, SdkParams, signedWithNew, Account));
    }

    [Fact]
    public void A_missing_or_empty_signature_is_rejected()
    {
        Assert.False(Validator().IsValid(Url, SdkParams, null, Account));
        Assert.False(Validator().IsValid(Url, SdkParams, "", Account));
    }

    [Fact]
    public void A_field_sent_twice_is_signed_once_per_distinct_value_in_order()
    {
        var form = new Dictionary<string, StringValues>(StringComparer.Ordinal)
        {
            ["StatusCallbackEvent"] = new(["ringing", "answered", "ringing"]),
            ["CallSid"] = "CA1234567890ABCDE",
        };
        var pairs = new List<KeyValuePair<string, string>>
        {
            new("StatusCallbackEvent", "ringing"), new("StatusCallbackEvent", "answered"),
            new("StatusCallbackEvent", "ringing"), new("CallSid", "CA1234567890ABCDE"),
        };

        Assert.True(Validator().IsValid(Url, form, TwilioSignature.Compute(Token, Url, pairs), Account));
    }

    [Fact]
    public void The_signed_url_is_the_public_base_url_plus_the_raw_target_whatever_the_host_header_says()
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("10.0.0.7:8080");
        context.Request.Path = "/twilio/voice/status";
        context.Request.QueryString = new QueryString("?tenant=a%27b");
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.9");
        context.Request.Headers["X-Forwarded-Host"] = "evil.example.com";

        Assert.Equal("https://voice.example.com/twilio/voice/status?tenant=a%27b", Validator().SignedUrl(context));
    }

    [Fact]
    public void Forwarded_headers_are_honoured_only_from_a_trusted_proxy()
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/twilio/voice/status";
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.9");
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Forwarded-Host"] = "edge.example.com";

        Assert.Equal("https://edge.example.com/twilio/voice/status", Validator(trustedProxies: "10.0.0.9").SignedUrl(context));
        Assert.Equal("https://voice.example.com/twilio/voice/status", Validator(trustedProxies: "10.0.0.8").SignedUrl(context));
    }
}
