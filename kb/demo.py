"""Demo articles for `seed_demo`: a few per section, in English and Brazilian Portuguese."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from kb.models import Article, ArticleStatus, Section, Visibility
from kb.services import article_create, article_update

VIDEO = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    section: str
    visibility: str
    english: tuple[str, str, str]
    portuguese: tuple[str, str, str] | None
    tiers: tuple[str, ...] = ()


DEMO_ARTICLES = [
    DemoArticle(
        "install-the-backup-agent",
        Section.GETTING_STARTED,
        Visibility.PUBLIC,
        (
            "Install the backup agent",
            "Install and register the agent on a server in five minutes.",
            "1. Download the agent from the console (**Settings → Agents**).\n"
            "2. Run the installer as an administrator.\n"
            "3. Paste the registration key and choose **Register**.\n\n"
            f"Watch the walkthrough:\n\n{VIDEO}\n\n"
            "The agent appears in the console within a minute.",
        ),
        (
            "Instale o agente de backup",
            "Instale e registre o agente em um servidor em cinco minutos.",
            "1. Baixe o agente no console (**Configurações → Agentes**).\n"
            "2. Execute o instalador como administrador.\n"
            "3. Cole a chave de registro e escolha **Registrar**.\n\n"
            f"Assista ao passo a passo:\n\n{VIDEO}\n\n"
            "O agente aparece no console em até um minuto.",
        ),
    ),
    DemoArticle(
        "your-first-backup-job",
        Section.GETTING_STARTED,
        Visibility.CUSTOMERS,
        (
            "Your first backup job",
            "Create a nightly backup job and check that it succeeded.",
            "Create a job under **Jobs → New**, pick the servers, the target and a nightly "
            "schedule. After the first run, the job's history shows each server's result.\n\n"
            f"{VIDEO}",
        ),
        (
            "Seu primeiro job de backup",
            "Crie um job noturno de backup e confira se ele funcionou.",
            "Crie um job em **Jobs → Novo**, escolha os servidores, o destino e um horário "
            "noturno. Depois da primeira execução, o histórico mostra o resultado de cada "
            f"servidor.\n\n{VIDEO}",
        ),
    ),
    DemoArticle(
        "premium-onboarding-checklist",
        Section.GETTING_STARTED,
        Visibility.TIERS,
        (
            "Premium onboarding checklist",
            "What your account manager goes through with you in the first week.",
            "- Architecture review\n- Retention design\n- A restore drill\n"
            "- Contacts for 24x7 escalation",
        ),
        (
            "Lista de integração Premium",
            "O que seu gerente de conta revisa com você na primeira semana.",
            "- Revisão da arquitetura\n- Desenho da retenção\n- Um teste de restauração\n"
            "- Contatos para escalonamento 24x7",
        ),
        tiers=("premium", "trial"),
    ),
    DemoArticle(
        "backups-fail-expired-cloud-credentials",
        Section.KNOWLEDGE_BASE,
        Visibility.CUSTOMERS,
        (
            "Backups fail every night with expired cloud credentials",
            "Error E4012: the cloud target's access key expired or was rotated.",
            "**Symptom**: jobs to a cloud target fail with `E4012 credentials rejected`.\n\n"
            "**Fix**: open **Targets**, choose the cloud target, paste the new access key and "
            "choose **Test connection**; then run the job again.",
        ),
        (
            "Backups falham toda noite com credenciais de nuvem expiradas",
            "Erro E4012: a chave de acesso do destino em nuvem expirou ou foi trocada.",
            "**Sintoma**: jobs para um destino em nuvem falham com `E4012 credentials "
            "rejected`.\n\n**Solução**: abra **Destinos**, escolha o destino em nuvem, cole a "
            "nova chave de acesso e escolha **Testar conexão**; depois execute o job de novo.",
        ),
    ),
    DemoArticle(
        "restore-hangs-at-99",
        Section.KNOWLEDGE_BASE,
        Visibility.PUBLIC,
        (
            "Restore job hangs at 99%",
            "The restore waits for the catalog to be re-indexed; patch 11.2.3 fixes it.",
            "A restore that stops at 99% is waiting for the catalog. Install patch 11.2.3, or "
            "re-index the catalog from **Maintenance → Catalog** and retry.",
        ),
        (
            "Restauração trava em 99%",
            "A restauração espera a reindexação do catálogo; o patch 11.2.3 corrige.",
            "Uma restauração parada em 99% está esperando o catálogo. Instale o patch 11.2.3 ou "
            "reindexe o catálogo em **Manutenção → Catálogo** e tente de novo.",
        ),
    ),
    DemoArticle(
        "escalating-data-loss-incidents",
        Section.KNOWLEDGE_BASE,
        Visibility.STAFF,
        (
            "Escalating data-loss incidents (internal)",
            "Who to call when a customer may have lost data.",
            "Page the on-call engineering lead, open a P1 bridge and inform the account manager.",
        ),
        None,
    ),
    DemoArticle(
        "retention-policies",
        Section.DOCUMENTATION,
        Visibility.PUBLIC,
        (
            "Retention policies",
            "How long backups are kept, and how retention and deduplication interact.",
            "A policy keeps daily copies for *n* days, weekly for *n* weeks and monthly for *n* "
            "months. Expired copies are removed after the next deduplication pass.",
        ),
        (
            "Políticas de retenção",
            "Por quanto tempo os backups são guardados e como retenção e deduplicação interagem.",
            "Uma política guarda cópias diárias por *n* dias, semanais por *n* semanas e mensais "
            "por *n* meses. Cópias vencidas são removidas após a próxima deduplicação.",
        ),
    ),
    DemoArticle(
        "single-sign-on",
        Section.DOCUMENTATION,
        Visibility.CUSTOMERS,
        (
            "Single sign-on (SSO) setup",
            "Connect the console to Okta, Azure AD or any SAML 2.0 identity provider.",
            "Create a SAML application in your identity provider with the console's callback "
            "address, then paste its metadata address under **Settings → Sign-in**.",
        ),
        (
            "Configuração de login único (SSO)",
            "Conecte o console ao Okta, Azure AD ou outro provedor SAML 2.0.",
            "Crie uma aplicação SAML no seu provedor de identidade com o endereço de retorno do "
            "console e cole o endereço dos metadados em **Configurações → Login**.",
        ),
    ),
    DemoArticle(
        "release-11-2",
        Section.RELEASE_NOTES,
        Visibility.PUBLIC,
        (
            "Release 11.2: faster deduplication",
            "Deduplication up to twice as fast; a new scheduler; 60 fixes.",
            "- Deduplication up to 2x faster on large stores\n- A calendar-based scheduler\n"
            "- 60 fixes, among them the restore hang at 99% (also in patch 11.2.3)",
        ),
        (
            "Versão 11.2: deduplicação mais rápida",
            "Deduplicação até duas vezes mais rápida; novo agendador; 60 correções.",
            "- Deduplicação até 2x mais rápida em grandes repositórios\n- Agendador por "
            "calendário\n- 60 correções, entre elas o travamento da restauração em 99%",
        ),
    ),
    DemoArticle(
        "patch-11-2-3",
        Section.RELEASE_NOTES,
        Visibility.CUSTOMERS,
        (
            "Patch 11.2.3",
            "Fixes the restore hang at 99% and cloud credential rotation.",
            "Install from **Settings → Updates**. No restart of the agents is needed.",
        ),
        (
            "Patch 11.2.3",
            "Corrige o travamento da restauração em 99% e a troca de credenciais de nuvem.",
            "Instale em **Configurações → Atualizações**. Não é preciso reiniciar os agentes.",
        ),
    ),
]


def seed_articles(*, author: User) -> list[str]:
    """Write the demo articles that do not exist yet (by address); returns their addresses."""
    created = []
    existing = set(Article.objects.values_list("slug", flat=True))
    for position, spec in enumerate(DEMO_ARTICLES):
        if spec.slug in existing:
            continue
        title, summary, body = spec.english
        article = article_create(
            author=author,
            slug=spec.slug,
            section=spec.section,
            language="en",
            title=title,
            summary=summary,
            body=body,
            status=ArticleStatus.PUBLISHED,
            visibility=spec.visibility,
            tiers=spec.tiers,
            position=position,
        )
        if spec.portuguese is not None:
            title, summary, body = spec.portuguese
            article_update(
                article=article,
                editor=author,
                language="pt-br",
                title=title,
                summary=summary,
                body=body,
                status=ArticleStatus.PUBLISHED,
                visibility=spec.visibility,
                tiers=spec.tiers,
                note="Tradução",
            )
        created.append(f"article {spec.slug}")
    return created
