namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>A configured API key entry, plain or <c>sha256:</c>, as the gateway and the services' admin endpoints read it.</summary>
public sealed class ApiKeyHashSpecs
{
    private const string Key = "vm_3Zk9-qP1xY7wL0tR5bN8cV2mH6jD4fG";

    [Fact]
    public void A_key_matches_its_plain_entry_and_its_sha256_entry_in_either_case_and_nothing_else()
    {
        var entry = ApiKeyHash.Entry(Key);

        Assert.Matches("^sha256:[0-9a-f]{64}$", entry);
        Assert.True(ApiKeyHash.Matches(Key, Key));
        Assert.True(ApiKeyHash.Matches(entry, Key));
        Assert.True(ApiKeyHash.Matches("SHA256:" + entry["sha256:".Length..].ToUpperInvariant(), Key));
        Assert.False(ApiKeyHash.Matches(entry, Key + "x"));
        Assert.False(ApiKeyHash.Matches(entry, entry));
    }

    [Theory]
    [InlineData("sha256:")]
    [InlineData("sha256:abc")]
    [InlineData("sha256:gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    public void A_sha256_entry_without_64_hex_digits_stands_for_no_key(string entry)
    {
        Assert.False(ApiKeyHash.TryParseEntry(entry, out _));
        Assert.False(ApiKeyHash.Matches(entry, entry));
    }
}
