using System.Net;
using Amazon.S3;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Tests;

/// <summary><c>BlobStorage:*</c>: which backend is registered, and what start-up refuses, naming the key.</summary>
public sealed class StorageOptionsSpecs
{
    private const string Azurite =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    private static readonly Dictionary<string, string?> S3 = new()
    {
        ["BlobStorage:Backend"] = "s3",
        ["BlobStorage:S3:ServiceUrl"] = "http://127.0.0.1:4569",
        ["BlobStorage:S3:Region"] = "us-east-1",
        ["BlobStorage:S3:Bucket"] = "recordings",
        ["BlobStorage:S3:AccessKey"] = "S3RVER",
        ["BlobStorage:S3:SecretKey"] = "S3RVER",
        ["BlobStorage:S3:ForcePathStyle"] = "true",
    };

    private static ServiceProvider Provider(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IHostEnvironment>(new Environment());
        services.AddRecordingStorage(configuration);
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, string key, string? value) =>
        new(settings) { [key] = value };

    /// <summary>What start-up reports for these settings (ValidateOnStart resolves the options the same way).</summary>
    private static string StartupFailure(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        using var provider = Provider(settings);
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<BlobStorageOptions>>().Value).Message;
    }

    [Fact]
    public void Without_settings_recordings_go_to_the_filesystem_and_nothing_of_the_blob_backends_is_registered()
    {
        using var provider = Provider([]);

        Assert.IsType<FileSystemRecordingStorage>(provider.GetRequiredService<IRecordingStorage>());
        Assert.Equal("recordings", provider.GetRequiredService<IOptions<BlobStorageOptions>>().Value.Directory);
        Assert.Null(provider.GetService<BlobContainerClient>());
        Assert.Null(provider.GetService<IAmazonS3>());
    }

    [Fact]
    public void Azure_settings_register_the_azure_backend_only()
    {
        using var provider = Provider(new Dictionary<string, string?>
        {
            ["BlobStorage:Backend"] = "Azure",
            ["BlobStorage:Azure:ConnectionString"] = Azurite,
            ["BlobStorage:Azure:Container"] = "recordings",
            ["BlobStorage:Azure:EncryptionScope"] = "recordings-scope",
        });

        Assert.IsType<AzureBlobRecordingStorage>(provider.GetRequiredService<IRecordingStorage>());
        var container = provider.GetRequiredService<BlobContainerClient>();
        Assert.Equal("recordings", container.Name);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/recordings"), container.Uri);
        Assert.Null(provider.GetService<IAmazonS3>());
    }

    [Fact]
    public void S3_settings_register_the_s3_backend_only_with_path_style_and_the_signing_region()
    {
        using var provider = Provider(S3);

        Assert.IsType<S3RecordingStorage>(provider.GetRequiredService<IRecordingStorage>());
        var client = Assert.IsType<AmazonS3Client>(provider.GetRequiredService<IAmazonS3>());
        var config = Assert.IsType<AmazonS3Config>(client.Config);
        Assert.True(config.ForcePathStyle);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
        Assert.Equal("http://127.0.0.1:4569", config.ServiceURL.TrimEnd('/'));
        Assert.Null(provider.GetService<BlobContainerClient>());
    }

    [Theory]
    [InlineData("gcs")]
    [InlineData("1")]
    [InlineData("file system")]
    public void An_unknown_backend_fails_naming_the_key_and_the_choices(string backend)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["BlobStorage:Backend"] = backend })
            .Build();

        var failure = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddRecordingStorage(configuration));

        Assert.Contains($"BlobStorage:Backend '{backend}' is not one of filesystem, azure, s3", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_without_a_connection_string_or_container_fails_naming_both_keys()
    {
        var failure = StartupFailure(new Dictionary<string, string?> { ["BlobStorage:Backend"] = "azure" });

        Assert.Contains("BlobStorage:Azure:ConnectionString is required", failure, StringComparison.Ordinal);
        Assert.Contains("BlobStorage:Azure:Container is required", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Recordings")]
    [InlineData("ab")]
    [InlineData("-recordings")]
    [InlineData("rec--ordings")]
    public void An_invalid_container_name_fails_naming_the_key(string container)
    {
        var failure = StartupFailure(new Dictionary<string, string?>
        {
            ["BlobStorage:Backend"] = "azure",
            ["BlobStorage:Azure:ConnectionString"] = Azurite,
            ["BlobStorage:Azure:Container"] = container,
        });

        Assert.Contains($"BlobStorage:Azure:Container '{container}' is not a container name", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BlobStorage:S3:Bucket", null, "BlobStorage:S3:Bucket is required")]
    [InlineData("BlobStorage:S3:Region", "", "BlobStorage:S3:Region is required")]
    [InlineData("BlobStorage:S3:ServiceUrl", "127.0.0.1:4569", "BlobStorage:S3:ServiceUrl '127.0.0.1:4569' is not an absolute http(s) URL")]
    [InlineData("BlobStorage:S3:SecretKey", null, "BlobStorage:S3:AccessKey and BlobStorage:S3:SecretKey go together")]
    [InlineData("BlobStorage:S3:ServerSideEncryption", "aes", "BlobStorage:S3:ServerSideEncryption 'aes' is not AES256 or aws:kms")]
    [InlineData("BlobStorage:S3:KmsKeyId", "alias/recordings", "BlobStorage:S3:KmsKeyId needs BlobStorage:S3:ServerSideEncryption aws:kms")]
    public void An_incomplete_s3_setting_fails_naming_the_key(string key, string? value, string expected) =>
        Assert.Contains(expected, StartupFailure(With(S3, key, value)), StringComparison.Ordinal);

    [Fact]
    public void S3_with_kms_encryption_and_a_key_and_without_static_credentials_is_valid()
    {
        var settings = With(With(With(With(S3, "BlobStorage:S3:ServerSideEncryption", "aws:kms"),
            "BlobStorage:S3:KmsKeyId", "alias/recordings"), "BlobStorage:S3:AccessKey", null), "BlobStorage:S3:SecretKey", null);
        using var provider = Provider(settings);

        var options = provider.GetRequiredService<IOptions<BlobStorageOptions>>().Value;

        Assert.Equal(BlobStorageBackend.S3, options.Backend);
        Assert.Equal("aws:kms", options.S3.ServerSideEncryption);
    }

    [Fact]
    public void The_other_backends_settings_are_not_required()
    {
        using var provider = Provider(new Dictionary<string, string?> { ["BlobStorage:Backend"] = "filesystem", ["BlobStorage:Directory"] = "/var/recordings" });

        Assert.Equal("/var/recordings", provider.GetRequiredService<IOptions<BlobStorageOptions>>().Value.Directory);
    }

    [Fact]
    public void An_empty_directory_fails_the_filesystem_backend_naming_the_key() =>
        Assert.Contains("BlobStorage:Directory is required", StartupFailure(new Dictionary<string, string?> { ["BlobStorage:Directory"] = " " }), StringComparison.Ordinal);

    [Theory]
    [InlineData(0, true)]
    [InlineData(503, true)]
    [InlineData(429, true)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    public void Azure_failures_that_are_outages(int status, bool outage) =>
        Assert.Equal(outage ? FailureKind.Outage : null, new StorageFailureClassifier().Classify(new RequestFailedException(status, "storage said no")));

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    public void S3_failures_that_are_outages(HttpStatusCode status, bool outage) =>
        Assert.Equal(outage ? FailureKind.Outage : null, new StorageFailureClassifier().Classify(new AmazonS3Exception("S3 said no") { StatusCode = status }));

    [Fact]
    public void An_unreachable_s3_endpoint_is_an_outage() =>
        Assert.Equal(FailureKind.Outage, new StorageFailureClassifier().Classify(
            new AmazonS3Exception("no connection", new HttpRequestException("Connection refused"))));

    [Fact]
    public void The_copy_source_keeps_the_slashes_between_url_encoded_key_segments() =>
        Assert.Equal("/recordings/AC1/CA%202/RE%2B3.wav", S3CopySource.Of("recordings", "AC1/CA 2/RE+3.wav"));

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "VoiceMesh.Recordings.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
