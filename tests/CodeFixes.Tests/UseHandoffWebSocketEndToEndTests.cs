using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>The handoff-plan fix against the package's real WSH001 analyzer: the plan it computes, fixed and compiled.</summary>
    public class UseHandoffWebSocketEndToEndTests
    {
        private static IEnumerable<DiagnosticAnalyzer> Analyzers() => new DiagnosticAnalyzer[] { new RawTransportUseAnalyzer() };

        internal static IEnumerable<DiagnosticAnalyzer> AllFlowAnalyzers() => new DiagnosticAnalyzer[]
        {
            new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer(), new KeepAliveOnHandoffAnalyzer(),
        };

        [Fact]
        public async Task Fix_of_the_real_WSH001_detaches_after_the_handshake_messages_and_drops_the_close()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            WebSocket ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                            var result = await ws.ReceiveAsync(buffer, ct);
                            if (result.MessageType == WebSocketMessageType.Close) return;
                            await {|WSH001:stream.WriteAsync(buffer, 0, 10, ct)|};
                            var n = await {|WSH001:stream.ReadAsync(buffer, ct)|};
                            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                            var result = await ws.ReceiveAsync(buffer, ct);
                            if (result.MessageType == WebSocketMessageType.Close) return;
                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(buffer, 0, 10, ct);
                            var n = await raw.ReadAsync(buffer, ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_of_the_real_WSH003_clears_WSH001_WSH002_and_WSH003_of_the_same_creation()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: AllFlowAnalyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30))|};
                            await ws.ReceiveAsync(buffer, ct);
                            await {|WSH001:stream.WriteAsync(buffer, ct)|};
                            await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                            await ws.ReceiveAsync(buffer, ct);
                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(buffer, ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_of_the_real_WSH001_in_a_synchronous_method_uses_Detach()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;

                    class Bridge
                    {
                        void Run(Stream stream)
                        {
                            var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
                            using var writer = {|WSH001:new StreamWriter(stream)|};
                            writer.WriteLine("hello");
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        void Run(Stream stream)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
                            var raw = ws.Detach();
                            using var writer = new StreamWriter(raw);
                            writer.WriteLine("hello");
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_of_the_real_WSH001_rewrites_every_creation_across_documents()
        {
            var test = new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Analyzers);
            test.TestState.Sources.Add(("A.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;

                class A
                {
                    async Task RunAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
                    {
                        var ws = WebSocket.CreateFromStream(stream, false, null, TimeSpan.Zero);
                        await ws.SendAsync(buffer, WebSocketMessageType.Binary, true, cancellationToken);
                        await {|WSH001:stream.WriteAsync(buffer, cancellationToken)|};
                        await {|WSH001:stream.FlushAsync(cancellationToken)|};
                    }
                }
                """));
            test.TestState.Sources.Add(("B.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;

                class B
                {
                    void Run(Stream stream, byte[] buffer)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        {|WSH001:stream.Write(buffer, 0, buffer.Length)|};
                        {|WSH001:stream.Flush()|};
                    }
                }
                """));
            test.FixedState.Sources.Add(("A.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class A
                {
                    async Task RunAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, false, null, TimeSpan.Zero);
                        await ws.SendAsync(buffer, WebSocketMessageType.Binary, true, cancellationToken);
                        var raw = await ws.DetachAsync(cancellationToken);
                        await raw.WriteAsync(buffer, cancellationToken);
                        await raw.FlushAsync(cancellationToken);
                    }
                }
                """));
            test.FixedState.Sources.Add(("B.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using WebSocketHandoff;

                class B
                {
                    void Run(Stream stream, byte[] buffer)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = ws.Detach();
                        raw.Write(buffer, 0, buffer.Length);
                        raw.Flush();
                    }
                }
                """));
            test.NumberOfIncrementalIterations = 2;
            test.NumberOfFixAllIterations = 1;
            test.NumberOfFixAllInDocumentIterations = 2;
            await test.RunAsync();
        }

        [Fact]
        public async Task No_fix_of_the_real_WSH001_without_the_runtime_reference()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;

                class Bridge
                {
                    void Run(Stream stream)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        {|WSH001:stream.Flush()|};
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(withRuntime: false, analyzers: Analyzers) { TestCode = source, FixedCode = source }.RunAsync();
        }
    }
}
