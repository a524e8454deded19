using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers
{
    // WSH004: your own helpers that look a type up by name, TypeExists("System.Net.WebSockets.ManagedWebSocket"), whose body
    // hands its string parameter to Type.GetType / Assembly.GetType.
    public sealed partial class WebSocketReflectionAnalyzer
    {
        /// <summary>
        /// On syntax: an argument is a string literal naming a System.Net.WebSockets type (the call may be a type-name
        /// helper worth binding). Public type names are left to the symbol check. A <c>const</c> argument is
        /// <see cref="Analysis.PassesStringConstant"/>'s.
        /// </summary>
        private static bool PassesWebSocketsTypeLiteral(InvocationExpressionSyntax node)
        {
            foreach (ArgumentSyntax argument in node.ArgumentList.Arguments)
            {
                if (argument.Expression is LiteralExpressionSyntax literal
                    && literal.IsKind(SyntaxKind.StringLiteralExpression)
                    && literal.Token.ValueText.StartsWith(WebSocketsNamespacePrefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        private sealed partial class Analysis
        {
            private readonly ConcurrentDictionary<IMethodSymbol, int> _typeNameHelpers =
                new ConcurrentDictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);

            private readonly ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>> _typeNameConstants =
                new ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>>();

            /// <summary>
            /// The per-block gate's second word list: the block names a <c>const string</c> of its file that may hold a
            /// System.Net.WebSockets type name (<see cref="TypeNameConstantsOf"/>); such a block may call a type-name helper
            /// with it while spelling no reflection entry word. Files without such a constant cost one text search.
            /// </summary>
            public bool NamesTypeNameConstant(SyntaxNode block, CancellationToken cancellationToken)
            {
                ImmutableHashSet<string> constants = TypeNameConstants(block.SyntaxTree, cancellationToken);
                if (constants.IsEmpty)
                {
                    return false;
                }

                foreach (SyntaxToken token in block.DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && constants.Contains(token.ValueText))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// On syntax: an argument names (<c>Name</c>, <c>C.Name</c>) a <c>const string</c> of this file that may hold a
            /// System.Net.WebSockets type name (the call may be a type-name helper given a constant type name). The
            /// constant's value is read on the operation; a const of another file is not seen here.
            /// </summary>
            private bool PassesStringConstant(InvocationExpressionSyntax node, CancellationToken cancellationToken)
            {
                ImmutableHashSet<string>? constants = null;
                foreach (ArgumentSyntax argument in node.ArgumentList.Arguments)
                {
                    string? name = argument.Expression switch
                    {
                        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                        MemberAccessExpressionSyntax { Name: IdentifierNameSyntax member } => member.Identifier.ValueText,
                        _ => null,
                    };
                    if (name is null)
                    {
                        continue;
                    }

                    constants ??= TypeNameConstants(node.SyntaxTree, cancellationToken);
                    if (constants.Contains(name))
                    {
                        return true;
                    }
                }

                return false;
            }

            private ImmutableHashSet<string> TypeNameConstants(SyntaxTree tree, CancellationToken cancellationToken)
            {
                if (!_typeNameConstants.TryGetValue(tree, out ImmutableHashSet<string>? found))
                {
                    found = TypeNameConstantsOf(tree, cancellationToken);
                    _typeNameConstants.TryAdd(tree, found);
                }

                return found;
            }

            private static bool SpellsWebSocketsString(SyntaxTree tree, CancellationToken cancellationToken)
            {
                Flow.TextNeedles.Positions positions = EntryPoints.Of(tree, cancellationToken);
                if (positions.HasEscape)
                {
                    return true;
                }

                SourceText text = tree.GetText(cancellationToken);
                foreach (int start in positions.Sorted)
                {
                    if (start + WebSocketsStringOpening.Length <= text.Length && text[start] == '"')
                    {
                        int k = 1;
                        while (k < WebSocketsStringOpening.Length && text[start + k] == WebSocketsStringOpening[k])
                        {
                            k++;
                        }

                        if (k == WebSocketsStringOpening.Length)
                        {
                            return true;
                        }
                    }
                }

                return false;
            }

            /// <summary>
            /// The names of the <c>const string</c> fields and locals of a file whose initializer spells a string holding
            /// "System.Net.WebSockets", or names another such constant (<c>Namespace + "ManagedWebSocket"</c>). Read once
            /// per file, and only in a file whose text holds a string opening with "System.Net.WebSockets".
            /// </summary>
            private static ImmutableHashSet<string> TypeNameConstantsOf(SyntaxTree tree, CancellationToken cancellationToken)
            {
                // A string that opens with the namespace ("System.Net.WebSockets…", also @"…" and $"…"), not a using
                // directive: nearly every file that uses a WebSocket spells the namespace, few spell it as a string. The
                // entry-point index of the file (built for the per-block gate) holds where such strings start.
                if (!SpellsWebSocketsString(tree, cancellationToken))
                {
                    return ImmutableHashSet<string>.Empty;
                }

                var declared = new List<VariableDeclaratorSyntax>();
                foreach (SyntaxNode node in tree.GetRoot(cancellationToken).DescendantNodes(n => n is not ExpressionSyntax))
                {
                    VariableDeclarationSyntax? declaration = node switch
                    {
                        FieldDeclarationSyntax field when field.Modifiers.Any(SyntaxKind.ConstKeyword) => field.Declaration,
                        LocalDeclarationStatementSyntax local when local.IsConst => local.Declaration,
                        _ => null,
                    };
                    if (declaration?.Type is PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.StringKeyword }
                        or IdentifierNameSyntax { Identifier.ValueText: "String" }
                        or QualifiedNameSyntax { Right.Identifier.ValueText: "String" })
                    {
                        declared.AddRange(declaration.Variables);
                    }
                }

                ImmutableHashSet<string>.Builder names = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
                bool added = true;
                while (added)
                {
                    // One pass per level of constants built from constants: a few at most.
                    added = false;
                    foreach (VariableDeclaratorSyntax variable in declared)
                    {
                        if (variable.Initializer is not { } initializer || names.Contains(variable.Identifier.ValueText))
                        {
                            continue;
                        }

                        foreach (SyntaxToken token in initializer.Value.DescendantTokens())
                        {
                            if ((token.IsKind(SyntaxKind.StringLiteralToken) && token.ValueText.Contains(Types.WebSocketsNamespace))
                                || (token.IsKind(SyntaxKind.IdentifierToken) && names.Contains(token.ValueText)))
                            {
                                names.Add(variable.Identifier.ValueText);
                                added = true;
                                break;
                            }
                        }
                    }
                }

                return names.ToImmutable();
            }

            // TypeExists("System.Net.WebSockets.ManagedWebSocket") with a helper that does Type.GetType(name) != null.
            private void AnalyzeTypeNameHelper(Action<Diagnostic> report, IInvocationOperation invocation)
            {
                if (HelperTypeName(invocation) is not string typeName || !IsNonPublicWebSocketsTypeName(typeName, out _))
                {
                    return;
                }

                string what = "'" + invocation.TargetMethod.Name + "(\"" + typeName + "\")'";
                report(Diagnostic.Create(Descriptors.WebSocketReflection, invocation.Syntax.GetLocation(), what));
            }

            /// <summary>The constant type name passed to a type-name helper, or null.</summary>
            private string? HelperTypeName(IInvocationOperation invocation)
            {
                int ordinal = TypeNameHelperParameter(invocation.TargetMethod);
                if (ordinal < 0)
                {
                    return null;
                }

                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    if (argument.Parameter is { } parameter && parameter.Ordinal == ordinal)
                    {
                        return ConstantString(argument.Value);
                    }
                }

                return null;
            }

            /// <summary>
            /// The ordinal of the type-name parameter of a type-name helper, or -1: a method declared in source outside the
            /// System namespaces, with a <c>string</c> parameter that its body passes, as it is, as the first argument of a
            /// <c>GetType(…)</c> call with arguments (<c>Type.GetType(name)</c>, <c>assembly.GetType(name, false)</c>).
            /// </summary>
            private int TypeNameHelperParameter(IMethodSymbol method) =>
                _typeNameHelpers.GetOrAdd((method.ReducedFrom ?? method).OriginalDefinition, FindTypeNameHelperParameter);

            private int FindTypeNameHelperParameter(IMethodSymbol method)
            {
                if (method.DeclaringSyntaxReferences.IsEmpty
                    || method.ContainingType is null
                    || IsInSystemNamespace(method.ContainingType)
                    || method.Parameters.IsEmpty)
                {
                    return -1;
                }

                foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
                {
                    foreach (SyntaxNode node in reference.GetSyntax().DescendantNodes())
                    {
                        if (node is InvocationExpressionSyntax getType
                            && InvokedName(getType) == "GetType"
                            && getType.ArgumentList.Arguments.Count > 0
                            && getType.ArgumentList.Arguments[0].Expression is IdentifierNameSyntax { Identifier.ValueText: var passed })
                        {
                            foreach (IParameterSymbol parameter in method.Parameters)
                            {
                                if (parameter.Name == passed && parameter.Type.SpecialType == SpecialType.System_String && parameter.RefKind == RefKind.None)
                                {
                                    return parameter.Ordinal;
                                }
                            }
                        }
                    }
                }

                return -1;
            }

            /// <summary>The System.Net.WebSockets type a constant name passed to <c>GetType(name)</c> (or a helper around it) names.</summary>
            private TargetType? TypeNamed(string? typeName)
            {
                if (typeName is null || !TryGetWebSocketsTypeName(typeName, out string metadataName))
                {
                    return null;
                }

                INamedTypeSymbol? resolved = _compilation.GetTypeByMetadataName(metadataName);
                return resolved is not null
                    ? new TargetType(ImmutableArray.Create(resolved), null)
                    : new TargetType(ImmutableArray.Create(_webSocket), metadataName.Substring(WebSocketsNamespacePrefix.Length));
            }
        }
    }
}
